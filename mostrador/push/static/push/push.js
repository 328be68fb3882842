// Web Push: the bell in the top bar subscribes this browser (after asking the person's
// permission) or drops it. Shown only where the browser can receive pushes.
(function () {
  "use strict";
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  const bell = () => document.querySelector("[data-push-toggle]");

  function keyBytes(base64url) {
    const base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  function post(url, subscription) {
    const token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": token }, body: JSON.stringify(subscription) });
  }

  async function current() {
    const registration = await navigator.serviceWorker.ready;
    return registration.pushManager.getSubscription();
  }

  async function show() {
    const button = bell();
    if (!button || !supported) return;
    button.hidden = false;
    const on = Boolean(await current());
    const blocked = Notification.permission === "denied";
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.classList.toggle("push-on", on);
    button.title = blocked ? button.dataset.wordsBlocked : on ? button.dataset.wordsOn : button.dataset.wordsOff;
  }

  async function toggle(button) {
    const subscription = await current();
    if (subscription) {
      await post(button.dataset.unsubscribeUrl, subscription.toJSON());
      await subscription.unsubscribe();
    } else if ((await Notification.requestPermission()) === "granted") {
      const key = await (await fetch(button.dataset.keyUrl)).json();
      const registration = await navigator.serviceWorker.ready;
      const fresh = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.public_key) });
      await post(button.dataset.subscribeUrl, fresh.toJSON());
    }
    await show();
  }

  document.addEventListener("click", (ev) => {
    const button = ev.target.closest && ev.target.closest("[data-push-toggle]");
    if (button) toggle(button).catch(() => show());
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => show().catch(() => {}));
  else show().catch(() => {});
})();
