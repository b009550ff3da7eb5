// Ticks the resend button's countdown on login-sms.ftl. The server already renders the button
// disabled with "Resend code in N s", so the page works without this file; here we only count
// down and enable the button at zero. Plain ES5, no modules: it must run in any browser the
// login page supports, and Keycloak's CSP allows external scripts only.
(function () {
  'use strict';
  var button = document.getElementById('kc-sms-resend');
  if (!button || !button.hasAttribute('data-cooldown-seconds')) {
    return;
  }

  var seconds = parseInt(button.getAttribute('data-cooldown-seconds'), 10) || 0;
  var waitLabel = button.getAttribute('data-label-wait') || '';
  var readyLabel = button.getAttribute('data-label-ready') || button.textContent;
  var status = document.getElementById('kc-sms-resend-status');
  // Count against the clock, not the number of ticks: background tabs throttle timers.
  var endsAt = Date.now() + seconds * 1000;
  var timer = null;

  function secondsLeft() {
    return Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
  }

  function enable() {
    button.textContent = readyLabel;
    button.disabled = false;
    // One polite announcement at the end, instead of one per second.
    if (status) {
      status.textContent = button.getAttribute('data-label-done') || readyLabel;
    }
    if (timer !== null) {
      clearInterval(timer);
    }
  }

  function tick() {
    var left = secondsLeft();
    if (left <= 0) {
      return enable();
    }
    button.textContent = waitLabel.replace('{0}', String(left));
  }

  tick();
  if (secondsLeft() > 0) {
    timer = setInterval(tick, 1000);
  }
})();
