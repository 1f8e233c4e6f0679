/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dashboard.js: the realtime part of /dashboard. Connects to /socket.io/ on this origin with the session cookie
 * (the page has no token), shows the connection state and the server's greeting, and asks for the secret message.
 */
(function () {
  "use strict";

  const status = document.getElementById("connection-status");
  const greeting = document.getElementById("server-response");
  const secret = document.getElementById("secret-message");
  const button = document.getElementById("get-secret");
  const alertBox = document.getElementById("realtime-alert");
  const alertText = document.getElementById("realtime-alert-text");
  const loginLink = document.getElementById("realtime-login");
  if (!status || !secret || !button || !window.AuthdSocket) return;

  const messages = {
    token_missing: "You are not signed in. Please log in again.",
    token_expired: "Your session has expired. Please log in again.",
    token_invalid: "Your session is not valid. Please log in again.",
    token_revoked: "Your session was ended. Please log in again.",
    session_invalid: "Your session is no longer valid. Please log in again.",
  };

  function setStatus(state, text) {
    status.textContent = text;
    status.dataset.state = state;
  }

  function showAlert(text, offerLogin) {
    if (offerLogin && greeting) greeting.textContent = "";
    alertText.textContent = text;
    loginLink.hidden = !offerLogin;
    alertBox.hidden = false;
  }

  function hideAlert() {
    alertBox.hidden = true;
  }

  setStatus("connecting", "Connecting…");
  const socket = window.AuthdSocket.io({ path: "/socket.io/", reconnectionDelayMax: 10000 });

  socket.on("connect", () => {
    setStatus("connected", "Connected");
    button.disabled = false;
    hideAlert();
  });

  socket.on("server_response", (data) => {
    if (greeting && data && typeof data.message === "string") greeting.textContent = data.message;
  });

  socket.on("secret_message", (data) => {
    if (data && typeof data.message === "string") secret.textContent = data.message;
  });

  socket.on("disconnect", (reason) => {
    button.disabled = true;
    if (socket.stopReason || reason === "io server disconnect" || reason === "io client disconnect") {
      setStatus("disconnected", "Disconnected");
    } else {
      setStatus("reconnecting", "Connection lost, reconnecting…");
    }
  });

  socket.on("connect_error", (error) => {
    const code = error && error.data && error.data.code;
    if (code && messages[code]) {
      setStatus("disconnected", "Not connected");
      showAlert(messages[code], true);
    } else {
      setStatus("reconnecting", "Cannot reach the server, retrying…");
    }
  });

  socket.on("auth_expired", (data) => {
    button.disabled = true;
    setStatus("disconnected", "Disconnected");
    const detail = data && typeof data.message === "string" ? " (" + data.message + ")" : "";
    showAlert("Your session has expired" + detail + ". Please log in again.", true);
  });

  socket.on("revoked", (data) => {
    button.disabled = true;
    setStatus("disconnected", "Disconnected");
    const reason = data && typeof data.reason === "string" ? " (" + data.reason + ")" : "";
    showAlert("You have been signed out" + reason + ". Please log in again.", true);
  });

  socket.io.on("reconnect_failed", () => {
    setStatus("disconnected", "Disconnected");
    showAlert("The realtime connection could not be restored. Reload the page to try again.", false);
  });

  button.addEventListener("click", () => {
    button.disabled = true;
    secret.textContent = "Asking the server…";
    socket
      .timeout(10000)
      .emitWithAck("get_secret", {})
      .then((reply) => {
        secret.textContent = reply && typeof reply.message === "string" ? reply.message : "The server sent no message.";
      })
      .catch(() => {
        secret.textContent = "The server did not answer in time. Please try again.";
      })
      .finally(() => {
        button.disabled = !socket.connected;
      });
  });
})();
