// Conditional answers on the report journey's question pages (progressive enhancement).
//
// A radio or checkbox with data-reveal="ID" shows the element ID only while it is checked
// (like GOV.UK Frontend's conditional reveal, which would also set aria-expanded on the
// radio: ARIA does not allow that attribute on role radio, so the report pages use this
// instead). Without JavaScript, or in a browser without ES modules, every conditional answer
// stays visible: the CSS hides .govuk-radios__conditional--hidden only under
// .govuk-frontend-supported, which base.html sets exactly when modules run.

const HIDDEN = {
  radio: "govuk-radios__conditional--hidden",
  checkbox: "govuk-checkboxes__conditional--hidden",
};

function sync(form) {
  for (const input of form.querySelectorAll("input[data-reveal]")) {
    const target = document.getElementById(input.dataset.reveal);
    if (target) target.classList.toggle(HIDDEN[input.type] || HIDDEN.radio, !input.checked);
  }
}

for (const form of document.querySelectorAll("form")) {
  if (!form.querySelector("input[data-reveal]")) continue;
  sync(form);
  form.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement) sync(form);
  });
}
