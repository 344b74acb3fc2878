// Progressive enhancement only: every action works without this file.
// Review queue keys: j/k next/previous card, a accept, r reject, l focus the relabel menu (Enter relabels).
(() => {
  "use strict";
  for (const form of document.querySelectorAll("form[data-busy]")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button")) {
        button.disabled = true;
        button.textContent = form.dataset.busy;
      }
    });
  }
  const cards = Array.from(document.querySelectorAll("article.item"));
  if (!cards.length) return;
  let at = 0;
  const focus = (n) => {
    at = Math.max(0, Math.min(cards.length - 1, n));
    cards.forEach((card, i) => card.classList.toggle("current", i === at));
    cards[at].scrollIntoView({ block: "nearest" });
  };
  const submit = (selector) => {
    const button = cards[at].querySelector(selector);
    if (button) button.form.requestSubmit(button);
  };
  focus(0);
  cards.forEach((card, i) => card.addEventListener("focusin", () => focus(i)));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, select, textarea, [contenteditable]")) {
      if (event.key === "Enter" && target.matches("article.item select") && target.value) {
        event.preventDefault();
        submit("button[value=relabel]");
      } else if (event.key === "Escape") {
        target.blur();
      }
      return;
    }
    const keys = {
      j: () => focus(at + 1),
      k: () => focus(at - 1),
      a: () => submit("button[value=accept]"),
      r: () => submit("button[value=reject]"),
      l: () => cards[at].querySelector("select").focus(),
    };
    const run = keys[event.key];
    if (run) {
      event.preventDefault();
      run();
    }
  });
})();
