// Heart to Heart voice simulator: sends turns to POST /web/turn and plays the replies.
//
// The page plays the platform's part: it speaks replies (speechSynthesis), keeps their
// pauses for real, rings a chime for sounds, runs timers and offers reminders as .ics files.
// ?mute=1 starts with speaking off (pauses are still kept), as the browser tests use it.
"use strict";

(() => {
  const params = new URLSearchParams(window.location.search);
  const HUG_COUNTDOWN_MS = 20000; // pauses this long are a hug's quiet: counted down on screen
  const REPROMPT_AFTER_MS = 8000; // Alexa asks again after about eight seconds of silence
  const SESSION_KEY = "hth.session";
  const timersKey = () => `hth.timers.${sessionId}`;
  const remindersKey = () => `hth.reminders.${sessionId}`;

  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const form = $("say-form");
  const input = $("say");
  const chips = $("chips");
  const statusLine = $("status");
  const countdown = $("countdown");
  const countdownSeconds = $("countdown-seconds");
  const speakToggle = $("speak-replies");
  const micButton = $("mic");
  const template = $("bubble-template");

  let sessionId = loadSessionId();
  let elicit = null;
  let playToken = 0;
  let repromptTimer = null;
  let audio = null;
  const pendingWaits = new Set();
  let timers = loadList(timersKey());
  let reminders = loadList(remindersKey());
  let busy = false;

  if (params.get("mute") === "1") speakToggle.checked = false;

  // --- the session ------------------------------------------------------------------------

  function newSessionId() {
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function loadSessionId() {
    const stored = window.localStorage.getItem(SESSION_KEY);
    if (stored && /^[A-Za-z0-9_-]{16,64}$/.test(stored)) return stored;
    const fresh = newSessionId();
    window.localStorage.setItem(SESSION_KEY, fresh);
    return fresh;
  }

  function loadList(key) {
    try {
      const list = JSON.parse(window.localStorage.getItem(key) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (_error) {
      return [];
    }
  }

  function timeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    } catch (_error) {
      return null;
    }
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }

  // --- sending a turn ---------------------------------------------------------------------

  async function send(turn, shown) {
    if (busy) return;
    busy = true;
    stopPlaying();
    clearReprompt();
    const youBubble = shown ? addBubble("you", "You", shown) : null;
    setStatus("");
    try {
      const reply = await post("/web/turn", {
        session_id: sessionId,
        elicit,
        time_zone: timeZone(),
        ...turn,
      });
      if (youBubble && reply.heard) addHeard(youBubble, reply.heard);
      show(reply);
    } catch (error) {
      setStatus(`Could not send that: ${error.message}`);
    } finally {
      busy = false;
    }
  }

  function sendText(text) {
    const words = text.trim();
    if (!words) return;
    send({ utterance: words }, words);
  }

  function show(reply) {
    elicit = reply.elicit || null;
    const bubble = addBubble("skill", "Heart to Heart", reply.speech_text || "…");
    if (reply.card) addCard(bubble, reply.card);
    if (reply.end_session) {
      const note = document.createElement("span");
      note.className = "ended";
      note.textContent = "Session ended. Say anything to start a new one.";
      bubble.appendChild(note);
    }
    showSuggestions(reply.suggestions || []);
    applyEffects(reply.effects || []);
    const token = ++playToken;
    play(reply.segments || [], token).then(() => {
      if (token !== playToken) return;
      document.body.dataset.playing = "false";
      if (!reply.end_session && reply.reprompt_text) scheduleReprompt(reply.reprompt_text);
    });
  }

  // --- the conversation view --------------------------------------------------------------

  function addBubble(kind, who, words) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.classList.add(...kind.split(" "));
    item.querySelector(".who").textContent = who;
    item.querySelector(".words").textContent = words;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function addHeard(bubble, heard) {
    const line = document.createElement("span");
    line.className = "heard";
    const slots = Object.entries(heard.slots || {}).map(([name, value]) => `${name}: ${value}`);
    line.textContent = `heard as ${heard.intent}${slots.length ? ` (${slots.join(", ")})` : ""}`;
    bubble.appendChild(line);
  }

  function addCard(bubble, card) {
    const box = document.createElement("div");
    box.className = "card";
    const title = document.createElement("h3");
    title.textContent = card.title;
    const text = document.createElement("p");
    text.textContent = card.text;
    box.append(title, text);
    bubble.appendChild(box);
  }

  function showSuggestions(list) {
    chips.replaceChildren();
    for (const words of list) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.textContent = words;
      chip.addEventListener("click", () => {
        if (words.endsWith("…")) {
          // A lead-in to finish in your own words ("my answer is …").
          input.value = words.slice(0, -1).trimEnd() + " ";
          input.focus();
        } else {
          sendText(words);
        }
      });
      chips.appendChild(chip);
    }
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  // --- playing a reply: words, real pauses, chimes ----------------------------------------

  async function play(segments, token) {
    document.body.dataset.playing = "true";
    for (const segment of segments) {
      if (token !== playToken) return;
      if (segment.say !== undefined) await speak(segment.say, token);
      else if (segment.pause !== undefined) await pause(segment.pause, token);
      else if (segment.sound !== undefined) await chime();
    }
  }

  function speaking() {
    return speakToggle.checked && "speechSynthesis" in window;
  }

  function speak(text, token) {
    if (!speaking()) return Promise.resolve();
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "en-US";
      // Some browsers (headless ones among them) never fire onend: a timeout from the length.
      const limit = 1500 + text.length * 80;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        pendingWaits.delete(finish);
        resolve();
      };
      pendingWaits.add(finish);
      utterance.onend = finish;
      utterance.onerror = finish;
      setTimeout(finish, limit);
      if (token === playToken) window.speechSynthesis.speak(utterance);
      else finish();
    });
  }

  function wait(ms) {
    return new Promise((resolve) => {
      const finish = () => {
        pendingWaits.delete(finish);
        clearTimeout(handle);
        resolve();
      };
      const handle = setTimeout(finish, ms);
      pendingWaits.add(finish);
    });
  }

  async function pause(ms, token) {
    if (ms < HUG_COUNTDOWN_MS) {
      await wait(ms);
      return;
    }
    const ends = Date.now() + ms;
    const tick = () => {
      countdownSeconds.textContent = String(Math.max(0, Math.ceil((ends - Date.now()) / 1000)));
    };
    tick();
    countdown.hidden = false;
    const ticker = setInterval(tick, 250);
    try {
      await wait(ms);
    } finally {
      clearInterval(ticker);
      if (token === playToken) countdown.hidden = true;
    }
  }

  function stopPlaying() {
    playToken += 1;
    countdown.hidden = true;
    document.body.dataset.playing = "false";
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    for (const finish of [...pendingWaits]) finish();
  }

  function chime() {
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const now = audio.currentTime;
      for (const [offset, frequency] of [[0, 659.25], [0.18, 987.77]]) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.type = "sine";
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, now + offset);
        gain.gain.exponentialRampToValueAtTime(0.25, now + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.6);
        tone.connect(gain).connect(audio.destination);
        tone.start(now + offset);
        tone.stop(now + offset + 0.65);
      }
    } catch (_error) {
      // No audio in this browser: the words and the countdown still show what happens.
    }
    return wait(700);
  }

  function scheduleReprompt(text) {
    clearReprompt();
    repromptTimer = setTimeout(() => {
      addBubble("skill reprompt", "Heart to Heart (asks again)", text);
      const token = ++playToken;
      play([{ say: text }], token).then(() => {
        if (token === playToken) document.body.dataset.playing = "false";
      });
    }, REPROMPT_AFTER_MS);
  }

  function clearReprompt() {
    if (repromptTimer !== null) clearTimeout(repromptTimer);
    repromptTimer = null;
  }

  // --- effects: timers and reminders ------------------------------------------------------

  function applyEffects(effects) {
    for (const effect of effects) {
      if (effect.type === "timer") {
        timers = timers.filter((timer) => timer.purpose !== effect.purpose);
        timers.push({
          id: effect.id,
          purpose: effect.purpose,
          label: effect.label,
          announce: effect.announce,
          endsAt: Date.now() + effect.duration_seconds * 1000,
        });
      } else if (effect.type === "cancel_timer") {
        timers = timers.filter((timer) => timer.id !== effect.id);
      } else if (effect.type === "reminder") {
        reminders = reminders.filter((reminder) => reminder.purpose !== effect.purpose);
        reminders.push(effect);
      } else if (effect.type === "cancel_reminder") {
        reminders = reminders.filter((reminder) => reminder.id !== effect.id);
      }
    }
    saveEffects();
    renderTimers();
    renderReminders();
  }

  function saveEffects() {
    window.localStorage.setItem(timersKey(), JSON.stringify(timers));
    window.localStorage.setItem(remindersKey(), JSON.stringify(reminders));
  }

  function clock(seconds) {
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = seconds % 60;
    const two = (n) => String(n).padStart(2, "0");
    return hours ? `${hours}:${two(minutes)}:${two(rest)}` : `${minutes}:${two(rest)}`;
  }

  function renderTimers() {
    const list = $("timers");
    list.replaceChildren();
    for (const timer of timers) {
      const item = document.createElement("li");
      item.dataset.purpose = timer.purpose;
      item.setAttribute("role", "timer");
      const name = document.createElement("span");
      name.textContent = `${timer.label}: `;
      const left = document.createElement("span");
      left.className = "timer-left";
      left.textContent = `${clock(Math.max(0, Math.ceil((timer.endsAt - Date.now()) / 1000)))} left`;
      item.append(name, left);
      list.appendChild(item);
    }
    $("no-timers").hidden = timers.length > 0;
  }

  function tickTimers() {
    const now = Date.now();
    const ended = timers.filter((timer) => timer.endsAt <= now);
    if (ended.length) {
      timers = timers.filter((timer) => timer.endsAt > now);
      saveEffects();
      for (const timer of ended) {
        addBubble("skill announcement", `${timer.label} is over`, timer.announce);
        const token = ++playToken;
        play([{ sound: "chime" }, { say: timer.announce }], token).then(() => {
          if (token === playToken) document.body.dataset.playing = "false";
        });
      }
    }
    renderTimers();
  }

  function renderReminders() {
    const list = $("reminders");
    list.replaceChildren();
    for (const reminder of reminders) {
      const item = document.createElement("li");
      const what = document.createElement("p");
      what.className = "hint";
      what.textContent = describeReminder(reminder);
      const link = document.createElement("a");
      link.href = reminder.calendar_url;
      link.setAttribute("download", "");
      link.textContent = "Add to your calendar (.ics)";
      item.append(what, link);
      list.appendChild(item);
    }
    $("no-reminders").hidden = reminders.length > 0;
  }

  function describeReminder(reminder) {
    const at = new Date(`${reminder.at}`);
    const time = Number.isNaN(at.getTime())
      ? reminder.at
      : at.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    const days = { MO: "Monday", TU: "Tuesday", WE: "Wednesday", TH: "Thursday", FR: "Friday", SA: "Saturday", SU: "Sunday" };
    const zone = reminder.time_zone ? ` (${reminder.time_zone})` : "";
    if (reminder.recurrence && reminder.recurrence.freq === "WEEKLY") {
      const names = reminder.recurrence.days.map((day) => days[day] || day).join(", ");
      return `Every ${names} at ${time}${zone}: ${reminder.text}`;
    }
    if (reminder.recurrence) return `Every day at ${time}${zone}: ${reminder.text}`;
    return `${reminder.at.replace("T", " ")}${zone}: ${reminder.text}`;
  }

  // --- controls ---------------------------------------------------------------------------

  async function startOver(fresh) {
    stopPlaying();
    clearReprompt();
    elicit = null;
    log.replaceChildren();
    try {
      const reset = await post("/web/reset", { session_id: sessionId });
      showSuggestions(reset.suggestions || []);
      if (fresh) await send({ launch: true }, "open heart to heart");
    } catch (error) {
      setStatus(`Could not reset: ${error.message}`);
    }
  }

  async function erase() {
    if (!window.confirm("Erase everything this browser session has stored, check-in answers included?")) return;
    stopPlaying();
    try {
      const response = await fetch(`/web/household/${encodeURIComponent(sessionId)}`, { method: "DELETE" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      setStatus(`Could not erase: ${error.message}`);
      return;
    }
    window.localStorage.removeItem(timersKey());
    window.localStorage.removeItem(remindersKey());
    sessionId = newSessionId();
    window.localStorage.setItem(SESSION_KEY, sessionId);
    timers = [];
    reminders = [];
    renderTimers();
    renderReminders();
    await startOver(false);
    setStatus("Erased. This is a new household now.");
  }

  function setUpMicrophone() {
    const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    if (!Recognition) return; // the button stays hidden
    micButton.hidden = false;
    let recognition = null;
    micButton.addEventListener("click", () => {
      if (recognition) {
        recognition.stop();
        return;
      }
      stopPlaying();
      recognition = new Recognition();
      recognition.lang = "en-US";
      recognition.interimResults = false;
      recognition.maxAlternatives = 1;
      micButton.setAttribute("aria-pressed", "true");
      setStatus("Listening…");
      recognition.onresult = (event) => {
        const words = event.results[0][0].transcript;
        input.value = words;
        sendText(words);
        input.value = "";
      };
      recognition.onerror = (event) => setStatus(`Microphone: ${event.error || "not available"}. Type instead.`);
      recognition.onend = () => {
        recognition = null;
        micButton.setAttribute("aria-pressed", "false");
        if (statusLine.textContent === "Listening…") setStatus("");
      };
      try {
        recognition.start();
      } catch (_error) {
        recognition = null;
        micButton.setAttribute("aria-pressed", "false");
        setStatus("The microphone is not available here. Type instead.");
      }
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const words = input.value;
    input.value = "";
    sendText(words);
  });
  input.addEventListener("input", clearReprompt);
  speakToggle.addEventListener("change", () => {
    if (!speakToggle.checked && "speechSynthesis" in window) window.speechSynthesis.cancel();
  });
  $("new-session").addEventListener("click", () => startOver(true));
  $("erase").addEventListener("click", erase);

  setUpMicrophone();
  renderTimers();
  renderReminders();
  setInterval(tickTimers, 1000);
  startOver(false);
})();
