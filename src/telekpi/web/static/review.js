// The review page (pages_review.py): a click on a transcript line or on the speaker lanes
// seeks the player; as the audio plays, the line being spoken is marked and the lanes' play
// head moves. Without a recording the same clicks mark the line and move the head.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const player = document.getElementById("player");
  const lanes = document.getElementById("lanes");
  const head = document.getElementById("playhead");
  const length = lanes ? Number(lanes.dataset.length) || 1 : 1;
  const lines = Array.from(document.querySelectorAll("[data-transcript] [data-start]"));

  function mark(t, follow) {
    let current = null;
    for (const li of lines) if (Number(li.dataset.start) <= t + 0.05) current = li;
    for (const li of lines) {
      if (li === current) li.setAttribute("aria-current", "true");
      else li.removeAttribute("aria-current");
    }
    if (current && follow) current.scrollIntoView({block: "nearest"});
    if (head) {
      const x = Math.max(0, Math.min(1, t / length)) * 1000;
      head.setAttribute("x1", x.toFixed(1));
      head.setAttribute("x2", x.toFixed(1));
    }
  }

  function seek(t) {
    if (player) {
      player.currentTime = t;
      const played = player.play();
      if (played) played.catch(() => {});   // no sound device (a headless browser): the time still moves
    }
    mark(t, false);
  }

  lines.forEach((li) => {
    const button = li.querySelector("button");
    if (button) button.addEventListener("click", () => seek(Number(li.dataset.start)));
  });
  if (lanes) lanes.addEventListener("click", (e) => {
    const box = lanes.getBoundingClientRect();
    seek(Math.max(0, (e.clientX - box.left) / box.width) * length);
  });
  if (player) player.addEventListener("timeupdate", () => mark(player.currentTime, !player.paused));
});
