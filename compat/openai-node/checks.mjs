// The small test harness both checks share: named checks that print ok/FAIL, and the exit code they add up to.
let failures = 0;

export async function check(name, body) {
  try {
    const detail = await body();
    console.log(`ok   ${name}${detail ? ": " + detail : ""}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** Exits 0 when every check passed, else 1. */
export function finish() {
  process.exit(failures === 0 ? 0 : 1);
}
