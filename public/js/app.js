// Progressive enhancement only: every page works without this file.
(() => {
  'use strict';
  // A second click on a form's button while the first submit is in flight would send it twice.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.submitting === 'true') {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = 'true';
    for (const button of form.querySelectorAll('button[type="submit"]')) button.setAttribute('aria-disabled', 'true');
    // If the page is kept (back/forward cache), let the form be used again.
    window.addEventListener('pageshow', () => {
      delete form.dataset.submitting;
      for (const button of form.querySelectorAll('button[type="submit"]')) button.removeAttribute('aria-disabled');
    }, { once: true });
  });
})();
