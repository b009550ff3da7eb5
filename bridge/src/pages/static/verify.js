// The hosted code page without inline code (the CSP forbids it): tick the resend countdown, and
// tidy a pasted code ("123 456" -> "123456"). The page works without this file.
(function () {
  'use strict';
  var code = document.getElementById('code');
  if (code) {
    code.addEventListener('input', function () {
      var tidy = code.value.replace(/[\s-]+/g, '');
      if (tidy !== code.value) {
        code.value = tidy;
      }
    });
  }
  var button = document.getElementById('resend');
  if (!button || !button.hasAttribute('data-cooldown-seconds')) {
    return;
  }
  var status = document.getElementById('resend-status');
  var left = parseInt(button.getAttribute('data-cooldown-seconds'), 10) || 0;
  var deadline = Date.now() + left * 1000;
  var wait = button.getAttribute('data-label-wait') || '{0}';
  function tick() {
    left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    if (left > 0) {
      button.textContent = wait.replace('{0}', String(left));
      window.setTimeout(tick, Math.min(1000, deadline - Date.now() - (left - 1) * 1000));
      return;
    }
    button.disabled = false;
    button.textContent = button.getAttribute('data-label-ready');
    if (status) {
      status.textContent = button.getAttribute('data-label-done');
    }
  }
  tick();
})();
