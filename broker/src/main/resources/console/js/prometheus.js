// Just enough of the Prometheus text format for the operations charts: samples by name and labels.

/** Parses exposition text into [{name, labels, value}], skipping comments and malformed lines. */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    if (match[3]) {
      for (const pair of match[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    }
    const value = Number(match[4]);
    if (!Number.isNaN(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** The sum of every sample named `name` whose labels include `where`. */
export function sum(samples, name, where = {}) {
  let total = 0;
  for (const s of samples) {
    if (s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Cumulative histogram buckets of `name` summed over other labels: [[le, count]] by le. */
export function buckets(samples, name) {
  const byLe = new Map();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) || 0) + s.value);
  }
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]);
}

/** The q-quantile of the observations between two scrapes' buckets (linear within a bucket), or null. */
export function quantileBetween(before, after, q) {
  const counts = after.map(([le, c], i) => [le, c - (before[i] && before[i][0] === le ? before[i][1] : 0)]);
  const total = counts.length ? counts[counts.length - 1][1] : 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const [le, count] of counts) {
    if (count >= rank) {
      if (le === Infinity) return lowerLe;
      const inBucket = count - lowerCount;
      return inBucket > 0 ? lowerLe + (le - lowerLe) * ((rank - lowerCount) / inBucket) : le;
    }
    lowerLe = le;
    lowerCount = count;
  }
  return lowerLe;
}
