// The quota forecast on the overview (GET /api/quota/forecast): at the recent pace, when each window
// runs out, how long the month lasts, and what tonight's harvest may spend.
import { api, esc, time } from './app.js';

const WINDOW_LABEL = { hour: 'hourly', day: 'daily', month: 'monthly' };
const num = (n) => (Number.isFinite(n) ? Number(n).toLocaleString() : '–');

/** A time in UTC, HH:MM (with the date when it is not today). */
function utc(ms, now) {
  const iso = new Date(ms).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** Days the window's remaining calls last at `perHour` (null when nothing is being spent). */
export function daysLeft(remaining, perHour) {
  return perHour > 0 ? remaining / (perHour * 24) : null;
}

/** The headline: the first window that runs out before its reset, else the daily one. */
export function headline(f) {
  const rate = `${num(Math.round(f.pacePerHour * 100) / 100)} calls per hour`;
  const short = f.windows.find((w) => w.exhaustsAt !== null);
  if (short) return `At the recent pace (${rate}) the ${WINDOW_LABEL[short.window] ?? short.window} quota runs out at ${utc(short.exhaustsAt, f.at)}, before its reset at ${utc(short.resetsAt, f.at)}.`;
  const day = f.windows.find((w) => w.window === 'day') ?? f.windows[0];
  if (!day) return `Spending ${rate}; this source has no quota window to forecast.`;
  return `At the recent pace (${rate}) the ${WINDOW_LABEL[day.window] ?? day.window} quota lasts until its reset at ${utc(day.resetsAt, f.at)}, with ${num(day.leftAtReset)} calls to spare.`;
}

function harvestLine(h) {
  if (!h) return '';
  if (h.budget > 0) return `Tonight's harvest may spend <strong>${esc(num(h.budget))}</strong> calls (${esc(h.reason)}).`;
  return `Tonight's harvest: no calls now (${esc(h.reason)}).`;
}

function daysText(days) {
  if (days === null) return 'nothing spent lately';
  return days >= 365 ? 'over a year at this pace' : `${days.toFixed(days < 10 ? 1 : 0)} days at this pace`;
}

function windowItem(w, f) {
  const label = WINDOW_LABEL[w.window] ?? w.window;
  const out = w.exhaustsAt === null ? `lasts until its reset ${time(w.resetsAt)}` : `<strong class="verdict-malicious">runs out ${time(w.exhaustsAt)}</strong>, before its reset ${time(w.resetsAt)}`;
  const days = w.window === 'month' ? `; ${esc(daysText(daysLeft(w.remaining, f.pacePerHour)))}` : '';
  return `<li data-window="${esc(w.window)}"><strong>${esc(label)}</strong>: ${esc(num(w.remaining))} of ${esc(num(w.limit))} left; ${out}, with ${esc(num(w.leftAtReset))} to spare${days}.</li>`;
}

export function forecastCard(f) {
  return `<section class="card" id="forecast-card" aria-label="Quota forecast"><p id="forecast-line">${esc(headline(f))}</p>
<ul class="forecast small">${f.windows.map((w) => windowItem(w, f)).join('')}</ul>
<p class="small" id="harvest-line">${harvestLine(f.harvest)}</p></section>`;
}

/** Draws the forecast into `el` and redraws it every minute until the returned function is called. */
export function showForecast(el) {
  let stopped = false;
  const draw = async () => {
    try {
      const f = await api('/api/quota/forecast');
      if (!stopped) el.innerHTML = `<h2>Forecast</h2>${forecastCard(f)}`;
    } catch {
      if (!stopped) el.innerHTML = '';
    }
  };
  draw();
  const timer = setInterval(draw, 60_000);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
