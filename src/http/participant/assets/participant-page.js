/* global document, window, navigator */
// Progressive enhancement only: the server-rendered page is complete without this file.
(function () {
  'use strict';

  var body = document.body;
  var eventZone = body.getAttribute('data-event-zone');
  // The page's language, rendered by the server: its texts (data-t-*) and the locale dates are written in.
  var locale = body.getAttribute('data-locale') || 'en-GB';
  function text(name, values) {
    var template = body.getAttribute('data-t-' + name) || '';
    return template.replace(/\{\{(\w+)\}\}/g, function (_, key) {
      return values && values[key] !== undefined ? values[key] : '';
    });
  }
  var serverNow = Date.parse(body.getAttribute('data-now') || '');
  // The join endpoint decides with the server's clock; a viewer clock that is minutes off would otherwise
  // show a dead button, or hide a live one.
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
  function now() {
    return Date.now() + skew;
  }

  var viewerZone = null;
  try {
    viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    viewerZone = null;
  }

  var formatters = {};
  function formatter(zone, kind) {
    var key = zone + '|' + kind;
    if (!formatters[key]) {
      formatters[key] = new Intl.DateTimeFormat(
        kind === 'day' ? locale : 'en-GB',
        kind === 'day'
          ? { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short' }
          : { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      );
    }
    return formatters[key];
  }

  function wallClock(ms, zone) {
    var out = {};
    formatter(zone, 'full').formatToParts(new Date(ms)).forEach(function (p) {
      out[p.type] = p.value;
    });
    return { date: out.year + '-' + out.month + '-' + out.day, time: out.hour + ':' + out.minute };
  }

  // Compared per instant rather than by zone name: Berlin and Vienna share every wall-clock time.
  var canConvert = Boolean(viewerZone && eventZone);
  if (canConvert) {
    try {
      wallClock(0, viewerZone);
      wallClock(0, eventZone);
    } catch {
      canConvert = false;
    }
  }
  var convertedAny = false;

  // The viewer's day is named when it is not the day the page lists the time under, or (for the end of a
  // range) when it is not the day the range started on: "Wed 7 Feb 23:30–Thu 8 Feb 00:30", "Wed 7 Feb 23:00–23:45".
  function viewerLabel(ms, sameDayAs) {
    var v = wallClock(ms, viewerZone);
    var e = wallClock(ms, eventZone);
    var reference = sameDayAs === undefined ? e.date : wallClock(sameDayAs, viewerZone).date;
    var dayPrefix = v.date !== reference ? formatter(viewerZone, 'day').format(new Date(ms)) + ' ' : '';
    return { differs: v.date !== e.date || v.time !== e.time, text: dayPrefix + v.time };
  }

  function viewerSpan(text) {
    var span = document.createElement('span');
    span.className = 'viewer-time';
    // The leading space keeps screen readers and copied text from gluing the two times together.
    span.textContent = ' ' + text;
    convertedAny = true;
    return span;
  }

  function convertAgenda() {
    if (!canConvert) return;
    document.querySelectorAll('.when[data-starts-at][data-ends-at]').forEach(function (cell) {
      var startsAt = Date.parse(cell.getAttribute('data-starts-at'));
      var start = viewerLabel(startsAt);
      var end = viewerLabel(Date.parse(cell.getAttribute('data-ends-at')), startsAt);
      if (!start.differs && !end.differs) return;
      cell.appendChild(viewerSpan(text('your-time', { time: start.text + '–' + end.text })));
    });
    document.querySelectorAll('[data-instant]').forEach(function (el) {
      var label = viewerLabel(Date.parse(el.getAttribute('data-instant')));
      if (!label.differs) return;
      el.parentNode.appendChild(viewerSpan(text('your-time-in-zone', { time: label.text, zone: viewerZone })));
    });
  }

  function stateAt(t, opensAt, endsAt) {
    if (t < opensAt) return 'upcoming';
    if (t < endsAt) return 'open';
    return 'ended';
  }

  function buildControl(old, state) {
    var title = old.getAttribute('data-session-title') || '';
    var opensAt = Date.parse(old.getAttribute('data-opens-at'));
    var el;
    if (state === 'open') {
      el = document.createElement('a');
      el.className = 'join';
      el.href = old.getAttribute('data-join-url');
      el.appendChild(document.createTextNode(text('join')));
      var hidden = document.createElement('span');
      hidden.className = 'visually-hidden';
      hidden.textContent = ' ' + title;
      el.appendChild(hidden);
    } else {
      el = document.createElement('span');
      el.className = 'join join-disabled';
      if (state === 'upcoming') {
        el.appendChild(document.createTextNode(text('opens-at', { time: eventZone ? wallClock(opensAt, eventZone).time : '' })));
        if (canConvert) {
          var label = viewerLabel(opensAt);
          if (label.differs) el.appendChild(viewerSpan('(' + text('your-time', { time: label.text }) + ')'));
        }
      } else {
        el.textContent = text('ended');
      }
    }
    ['data-join', 'data-opens-at', 'data-ends-at', 'data-join-url', 'data-session-title'].forEach(function (name) {
      el.setAttribute(name, old.getAttribute(name) || '');
    });
    el.setAttribute('data-state', state);
    return el;
  }

  var status = document.querySelector('[data-join-status]');
  var timer = null;

  function updateJoins(first) {
    var t = now();
    var next = Infinity;
    document.querySelectorAll('[data-join]').forEach(function (el) {
      var opensAt = Date.parse(el.getAttribute('data-opens-at'));
      var endsAt = Date.parse(el.getAttribute('data-ends-at'));
      if (isNaN(opensAt) || isNaN(endsAt)) return;
      if (opensAt > t) next = Math.min(next, opensAt);
      if (endsAt > t) next = Math.min(next, endsAt);
      var state = stateAt(t, opensAt, endsAt);
      var previous = el.getAttribute('data-state');
      // The first pass also rebuilds unchanged upcoming controls, to add the viewer's time to "Opens at".
      if (previous === state && !(first && state === 'upcoming')) return;
      var replacement = buildControl(el, state);
      var hadFocus = document.activeElement === el;
      el.replaceWith(replacement);
      if (hadFocus && state === 'open') replacement.focus();
      if (!first && status && state === 'open') {
        status.textContent = text('now-open', { title: el.getAttribute('data-session-title') || '' });
      }
    });
    // Every ~15 s as a floor (sleeping laptops, throttled tabs), sooner when a session opens or ends.
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      updateJoins(false);
    }, Math.max(250, Math.min(15000, next - t + 100)));
  }

  function warnOpera() {
    var ua = navigator.userAgent || '';
    if (!/\bOPR\/|\bOpera\//.test(ua)) return;
    document.querySelectorAll('[data-opera-warning]').forEach(function (el) {
      el.hidden = false;
    });
  }

  function noteViewerZone() {
    var note = document.querySelector('[data-viewer-zone-note]');
    if (!note || !convertedAny) return;
    // The leading space separates it from the sentence before it, in the same paragraph.
    note.textContent = ' ' + text('viewer-zone-note', { zone: viewerZone });
    note.className = 'viewer-zone-note';
    note.hidden = false;
  }

  convertAgenda();
  updateJoins(true);
  noteViewerZone();
  warnOpera();
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') updateJoins(false);
  });
})();
