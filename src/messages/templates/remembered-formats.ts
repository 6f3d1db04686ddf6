import { formatDayDate as formatDayDateNow, formatShortDayDate as formatShortDayDateNow, formatUtcOffset as formatUtcOffsetNow } from '../../i18n/format.js';

const MAX_ENTRIES = 1_000;

/**
 * A string function of strings, remembered: each of these formats through luxon and Intl (tens of microseconds),
 * and every mail of an event formats the same few dates and offsets. The answers depend only on the arguments and
 * the runtime's zone data, so remembering them is exact; the bound drops everything once it is reached.
 */
function remembered<A extends string[]>(format: (...args: A) => string): (...args: A) => string {
  const known = new Map<string, string>();
  return (...args) => {
    const key = args.join('\u0000');
    let text = known.get(key);
    if (text === undefined) {
      text = format(...args);
      if (known.size >= MAX_ENTRIES) known.clear();
      known.set(key, text);
    }
    return text;
  };
}

export const formatDayDate = remembered(formatDayDateNow);
export const formatShortDayDate = remembered(formatShortDayDateNow);
export const formatUtcOffset = remembered(formatUtcOffsetNow);
