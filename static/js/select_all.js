// The case grid's header checkbox ticks or clears every case on the page.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!box.matches("[data-select-all]")) return;
  const table = box.closest("table");
  table.querySelectorAll('input[name="cases"]').forEach((item) => {
    item.checked = box.checked;
  });
});
