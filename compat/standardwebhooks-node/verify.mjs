// Verifies webhook deliveries with the official Standard Webhooks package (not Switchboard's code).
// Usage: node verify.mjs deliveries.json
// The file holds [{"secret": "whsec_...", "id": ..., "timestamp": ..., "signature": ..., "body": ...}, ...];
// prints one line per delivery: "ok <id>" or "bad <id>: <why>".
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const deliveries = JSON.parse(readFileSync(process.argv[2], "utf8"));
for (const d of deliveries) {
  try {
    new Webhook(d.secret).verify(d.body, {
      "webhook-id": d.id,
      "webhook-timestamp": d.timestamp,
      "webhook-signature": d.signature,
    });
    console.log(`ok ${d.id}`);
  } catch (e) {
    console.log(`bad ${d.id}: ${e.message}`);
  }
}
