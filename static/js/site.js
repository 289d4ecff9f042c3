// Small progressive enhancements; every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // Move focus to a form's error summary so screen readers announce what went wrong.
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();
});
