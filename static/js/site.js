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
        // As in the server-rendered list: the tick is decoration, the words say it.
        const tick = document.createElement('span');
        tick.setAttribute('aria-hidden', 'true');
        tick.textContent = '✓ ';
        badge.append(tick, text.accepted);
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

/** Sends a page event for the deflection report; it must never get in the visitor's way. */
function sendEvent(event) {
  try {
    fetch('/api/v1/deflection/events', {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
      body: JSON.stringify(event),
    }).catch(() => undefined);
  } catch (e) {
    // reporting is best effort
  }
}

/** thread_read: the thread stayed visible for 15 seconds in all. */
function watchThreadRead(article) {
  const questionId = Number(article.dataset.threadId);
  let visibleMs = 0;
  let since = document.visibilityState === 'visible' ? Date.now() : null;
  let sent = false;
  const check = () => {
    const total = visibleMs + (since === null ? 0 : Date.now() - since);
    if (!sent && total >= 15000) {
      sent = true;
      sendEvent({ kind: 'thread_read', questionId });
    }
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') since = Date.now();
    else if (since !== null) {
      visibleMs += Date.now() - since;
      since = null;
    }
  });
  const timer = setInterval(() => {
    check();
    if (sent) clearInterval(timer);
  }, 1000);
}

/** "Did this solve your problem?" without a reload; the plain form still works without this. */
function enhanceFeedback(form) {
  const thanks = form.parentElement.querySelector('.feedback-thanks');
  const questionId = Number(form.closest('[data-question-id]').dataset.questionId);
  form.addEventListener('click', (event) => {
    const button = event.target.closest('button[name="solved"]');
    if (!button) return;
    event.preventDefault();
    const solved = button.value === 'yes';
    sendEvent({ kind: solved ? 'solved' : 'not_solved', questionId });
    if (thanks) {
      thanks.textContent = solved ? thanks.dataset.thanksYes : thanks.dataset.thanksNo;
      thanks.hidden = false;
    }
    form.hidden = true;
  });
}

document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('a[data-result-rank], a[data-suggestion-rank]');
  if (!link) return;
  const questionId = Number(link.dataset.questionId);
  if (link.dataset.resultRank) sendEvent({ kind: 'result_click', questionId, rank: Number(link.dataset.resultRank), query: link.dataset.query || null });
  else sendEvent({ kind: 'suggestion_click', questionId, rank: Number(link.dataset.suggestionRank) });
});

/** ask_abandoned: the ask form was started but left without posting. */
function watchAskAbandoned(form) {
  let submitted = false;
  let touched = false;
  form.addEventListener('submit', () => (submitted = true));
  form.addEventListener('input', () => (touched = true));
  window.addEventListener('pagehide', () => {
    if (touched && !submitted) sendEvent({ kind: 'ask_abandoned' });
  });
}

/** A live character count under a textarea with a limit (the server-rendered line says the limit without JS). */
function enhanceCounter(counter) {
  const field = document.getElementById(counter.dataset.countFor);
  if (!field) return;
  const max = Number(counter.dataset.max);
  const format = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const update = () => {
    const count = field.value.length;
    counter.textContent = counter.dataset.template.replace('{count}', format.format(count));
    counter.classList.toggle('is-near', count > max * 0.9);
  };
  field.addEventListener('input', update);
  update();
}

/**
 * A Markdown editor: a small formatting toolbar above the textarea and the preview kept up to date while
 * typing (POST /api/v1/preview, the same pipeline as a post). The form's Preview button does the same
 * without JavaScript.
 */
function enhanceMarkdown(textarea) {
  let labels = {};
  try {
    labels = JSON.parse(textarea.dataset.labels || '{}');
  } catch (e) {
    labels = {};
  }
  const edit = (wrap) => {
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const selected = textarea.value.slice(start, end);
    const { text, select } = wrap(selected);
    textarea.setRangeText(text, start, end, 'end');
    if (select) textarea.setSelectionRange(start + select[0], start + select[1]);
    textarea.focus();
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const linePrefix = (prefix) => (selected) => {
    const body = (selected || '').split('\n').map((line) => prefix + line).join('\n');
    return { text: body, select: [prefix.length, body.length] };
  };
  const actions = {
    bold: (s) => ({ text: '**' + (s || labels.bold || 'bold') + '**', select: [2, 2 + (s || labels.bold || 'bold').length] }),
    link: (s) => {
      const label = s || labels.linkText || 'link';
      return { text: '[' + label + '](https://)', select: [label.length + 3, label.length + 11] };
    },
    code: (s) => (s.includes('\n') ? { text: '```\n' + s + '\n```', select: [4, 4 + s.length] } : { text: '`' + (s || 'code') + '`', select: [1, 1 + (s || 'code').length] }),
    list: linePrefix('- '),
    quote: linePrefix('> '),
  };
  const toolbar = document.createElement('div');
  toolbar.className = 'md-toolbar';
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', textarea.dataset.toolbarLabel || 'Formatting');
  toolbar.setAttribute('aria-controls', textarea.id);
  Object.keys(actions).forEach((name) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'md-button md-' + name;
    button.textContent = labels[name] || name;
    button.addEventListener('click', () => edit(actions[name]));
    toolbar.append(button);
  });
  textarea.before(toolbar);

  const preview = document.querySelector('[data-preview-for="' + textarea.id + '"]');
  if (!preview) return;
  const target = preview.querySelector('.post-body');
  let timer;
  let controller;
  let last = null;
  const refresh = () => {
    const text = textarea.value;
    if (text === last) return;
    last = text;
    if (text.trim() === '') {
      preview.hidden = true;
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    fetch('/api/v1/preview', {
      method: 'POST',
      signal: controller.signal,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfToken() },
      body: JSON.stringify({ text }),
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => {
        if (!body) return;
        // Sanitized by the server (marked + sanitize-html), exactly as a post is.
        target.innerHTML = body.html;
        preview.hidden = false;
      })
      .catch(() => undefined);
  };
  textarea.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
}

/**
 * The original of a duplicate, chosen by search: the flag and close forms' original field becomes a combobox
 * (ARIA 1.2: the input owns a listbox, aria-activedescendant follows the arrow keys, Enter chooses, Escape
 * closes) over GET /api/v1/questions/:id/original-candidates. Choosing puts the question's number in the field
 * and shows its title. Without this script the server answers words with a "choose the original" page.
 */
function enhanceOriginalField(input) {
  const questionId = input.dataset.originalFor;
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  const plural = (n, one, other) => fill(n === 1 ? one : other, { count: n });
  const list = document.createElement('ul');
  list.id = input.id + '-listbox';
  list.className = 'combobox-list';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', input.dataset.listLabel || '');
  list.hidden = true;
  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.id = input.id + '-status';
  status.setAttribute('role', 'status');
  const chosen = document.createElement('p');
  chosen.className = 'combobox-chosen';
  chosen.id = input.id + '-chosen';
  chosen.setAttribute('aria-live', 'polite');
  chosen.hidden = true;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  input.after(list, status, chosen);

  let items = [];
  let active = -1;
  let timer;
  let controller;
  let last = input.value.trim();
  const options = () => list.querySelectorAll('[role="option"]');
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
    options().forEach((option) => option.setAttribute('aria-selected', 'false'));
  };
  const open = () => {
    if (items.length === 0) return;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const setActive = (index) => {
    const all = options();
    if (all.length === 0) return;
    active = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((option, i) => option.setAttribute('aria-selected', i === active ? 'true' : 'false'));
    input.setAttribute('aria-activedescendant', all[active].id);
    all[active].scrollIntoView({ block: 'nearest' });
  };
  const choose = (item) => {
    input.value = String(item.id);
    last = input.value;
    chosen.textContent = fill(input.dataset.chosen || '#{id} {title}', { id: item.id, title: item.title });
    chosen.hidden = false;
    // Choosing an original means "duplicate": the form's reason follows.
    const reason = input.form && input.form.querySelector('input[name="reason"][value="duplicate"]');
    if (reason) reason.checked = true;
    close();
  };
  const render = (found) => {
    items = found;
    list.replaceChildren();
    found.forEach((item, index) => {
      const option = document.createElement('li');
      option.id = list.id + '-option-' + index;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      option.dataset.questionId = String(item.id);
      const title = document.createElement('span');
      title.className = 'choice-title';
      title.textContent = item.title;
      const meta = document.createElement('span');
      meta.className = 'choice-meta';
      const facts = ['#' + item.id, plural(item.answerCount, input.dataset.answersOne || '{count}', input.dataset.answersOther || '{count}')];
      if (item.hasAcceptedAnswer) facts.push(input.dataset.accepted || '✓');
      if (item.hasOfficialAnswer) facts.push(input.dataset.official || '');
      meta.textContent = facts.filter(Boolean).join(' · ');
      option.append(title, ' ', meta);
      // mousedown would blur the input (and close the list) before the click lands.
      option.addEventListener('mousedown', (event) => event.preventDefault());
      option.addEventListener('click', () => choose(item));
      list.append(option);
    });
    status.textContent = found.length === 0 ? input.dataset.none || '' : plural(found.length, input.dataset.countOne || '{count}', input.dataset.countOther || '{count}');
    if (found.length === 0) close();
    else {
      open();
      active = -1;
      input.removeAttribute('aria-activedescendant');
    }
  };
  const search = () => {
    const q = input.value.trim();
    if (q === last) return;
    last = q;
    if (controller) controller.abort();
    if (q === '' || (!/^#?\d+$/.test(q) && q.length < 2)) {
      render([]);
      status.textContent = '';
      return;
    }
    controller = new AbortController();
    fetch('/api/v1/questions/' + encodeURIComponent(questionId) + '/original-candidates?q=' + encodeURIComponent(q), {
      signal: controller.signal,
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    })
      .then((response) => (response.ok ? response.json() : { items: [] }))
      .then((body) => render(body.items || []))
      .catch(() => undefined);
  };
  input.addEventListener('input', () => {
    chosen.hidden = true;
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (items.length === 0) return;
      event.preventDefault();
      if (list.hidden) open();
      setActive(active === -1 ? (event.key === 'ArrowDown' ? 0 : items.length - 1) : active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter') {
      if (!list.hidden && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      }
    } else if (event.key === 'Escape') {
      if (!list.hidden) {
        event.preventDefault();
        close();
      }
    }
  });
  input.addEventListener('blur', close);
}

document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-count-for]').forEach(enhanceCounter);
  document.querySelectorAll('textarea[data-markdown]').forEach(enhanceMarkdown);
  // Move focus to a form's error summary so screen readers announce what went wrong.
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();
  document.querySelectorAll('input[data-suggest]').forEach(enhanceSuggestions);
  document.querySelectorAll('input[data-original-for]').forEach(enhanceOriginalField);
  const thread = document.querySelector('article[data-thread-id]');
  if (thread) watchThreadRead(thread);
  document.querySelectorAll('form[data-feedback]').forEach(enhanceFeedback);
  document.querySelectorAll('form[action="/questions/ask"][method="post"]').forEach(watchAskAbandoned);
});

window.resuelto = { csrfToken };
