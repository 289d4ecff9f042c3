// Small progressive enhancements; every page works without this file.
'use strict';

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') : '';
}

/** Similar questions while the ask form's title is typed (GET /api/v1/search/suggest), debounced. */
function enhanceSuggestions(input) {
  const target = input.form && input.form.querySelector('[data-suggest-target]');
  if (!target) return;
  const lang = document.documentElement.lang;
  const text = lang === 'es'
    ? { heading: 'Preguntas parecidas que ya se hicieron', intro: 'Puede que alguna de estas ya responda la tuya.', accepted: 'Respuesta aceptada', answer: 'Respuesta aceptada:' }
    : { heading: 'Similar questions already asked', intro: 'One of these may already answer yours.', accepted: 'Accepted answer', answer: 'Accepted answer:' };
  let timer;
  let last = '';
  let controller;
  const render = (items) => {
    target.replaceChildren();
    if (items.length === 0) return;
    const section = document.createElement('section');
    section.className = 'suggestions';
    const heading = document.createElement('h2');
    heading.textContent = text.heading;
    const intro = document.createElement('p');
    intro.textContent = text.intro;
    const list = document.createElement('ul');
    items.forEach((item, index) => {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = item.url;
      link.textContent = item.title;
      link.dataset.suggestionRank = String(index + 1);
      link.dataset.questionId = String(item.id);
      li.append(link);
      if (item.hasAcceptedAnswer) {
        const badge = document.createElement('span');
        badge.className = 'badge badge-accepted';
        badge.textContent = ' ✓ ' + text.accepted;
        li.append(' ', badge);
      }
      if (item.acceptedExcerpt) {
        const answer = document.createElement('span');
        answer.className = 'suggestion-answer';
        answer.textContent = text.answer + ' ' + item.acceptedExcerpt;
        li.append(answer);
      }
      list.append(li);
    });
    section.append(heading, intro, list);
    target.append(section);
    document.dispatchEvent(new CustomEvent('resuelto:suggestions-shown', { detail: { count: items.length } }));
  };
  const fetchSuggestions = () => {
    const title = input.value.trim();
    if (title === last) return;
    last = title;
    if (title.length < 4) return render([]);
    if (controller) controller.abort();
    controller = new AbortController();
    fetch('/api/v1/search/suggest?title=' + encodeURIComponent(title), { signal: controller.signal, headers: { accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : { items: [] }))
      .then((body) => render(body.items || []))
      .catch(() => undefined);
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 250);
  });
  if (input.value.trim()) fetchSuggestions();
}

document.addEventListener('DOMContentLoaded', () => {
  // Move focus to a form's error summary so screen readers announce what went wrong.
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();
  document.querySelectorAll('input[data-suggest]').forEach(enhanceSuggestions);
});

window.resuelto = { csrfToken };
