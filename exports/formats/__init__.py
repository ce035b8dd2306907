"""The export's file formats, each a pure function of the frames and their variables."""
