"""XLSForm → questionnaire definition, through pyxform. Pure: no Django.

The definition (stored on QuestionnaireVersion.definition) has this shape:

    {
      "form_id": "safety_standard",
      "title": {"zh": "...", "en": "..."},
      "languages": ["zh", "en"],                 # first is the default
      "dimensions": {"public_order": {"zh": "社会治安", "en": "Public order"}, ...},
      "choice_lists": {
        "sat5": [
          {"value": "5", "label": {"zh": "非常满意", "en": "Very satisfied"},
           "score": 100.0, "positive": true, "extra": {}},
          ...,
          {"value": "9", "label": {...}, "score": null, "positive": null, "extra": {}}
        ],                                        # score null: don't know/refused, excluded
        ...
      },
      "groups": [                                 # one wizard page each, in order
        {"name": "safety", "label": {...}, "relevant": "${eligible} = 'yes'" | null,
         "questions": [
           {"name": "safety_overall",
            "type": "select_one" | "select_multiple" | "integer" | "decimal" | "text"
                    | "note" | "locality",
            "list": "safe5" | null, "label": {...}, "hint": {...} | null,
            "required": bool, "relevant": str | null, "constraint": str | null,
            "constraint_message": {...} | null, "appearance": str | null,
            "dimension": "public_order" | null,   # scoring: which dimension the item feeds
            "indicator": str | null,              # scoring: finer indicator code
            "locality_level": "district" | "street" | "community" | null}
         ]}
      ]
    }

"locality" questions take their choices from the locality tree at run time (cascading:
each level filtered by the answer to the level above); the answer is a locality code.
"""
