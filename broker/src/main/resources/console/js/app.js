// The console's entry point: the tab list (arrow keys move between tabs, the URL hash keeps the view), the
// tenant key bar, and the model lists both session views choose from.

import { listModels, storedKey, storeKey } from "./api.js";
import { Operations } from "./operations.js";
import { Playground } from "./playground.js";
import { Voice } from "./voice.js";

const $ = (id) => document.getElementById(id);
const VIEWS = ["playground", "voice", "operations"];

const playground = new Playground();
const voice = new Voice();
const operations = new Operations();

function show(view, focus = false) {
  if (!VIEWS.includes(view)) view = "playground";
  for (const name of VIEWS) {
    const tab = $(`tab-${name}`);
    const selected = name === view;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`view-${name}`).hidden = !selected;
  }
  $("key-bar").hidden = view === "operations";
  if (view === "operations") operations.shown(); else operations.hidden();
  if (focus) $(`tab-${view}`).focus();
  if (location.hash !== `#${view}`) history.replaceState(null, "", `#${view}`);
}

for (const name of VIEWS) {
  const tab = $(`tab-${name}`);
  tab.addEventListener("click", () => show(name));
  tab.addEventListener("keydown", (e) => {
    const i = VIEWS.indexOf(name);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: VIEWS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    show(VIEWS[(next + VIEWS.length) % VIEWS.length], true);
  });
}
window.addEventListener("hashchange", () => show(location.hash.slice(1)));

async function checkKey() {
  const key = $("api-key").value.trim();
  storeKey(key);
  const status = $("key-status");
  status.dataset.state = "connecting";
  status.textContent = "Checking…";
  try {
    const models = await listModels(key);
    status.dataset.state = "ok";
    status.textContent = `Key accepted: ${models.length} model(s)`;
    fillModels($("pg-model"), models, "sim-chat");
    fillModels($("vc-model"), models, "sim-realtime");
  } catch (refusal) {
    status.dataset.state = "error";
    status.textContent = `Refused: ${refusal.describe ? refusal.describe() : refusal.message}`;
    for (const id of ["pg-model", "vc-model"]) {
      $(id).innerHTML = "";
      $(id).append(new Option("(check the key first)", ""));
    }
  }
}

function fillModels(select, models, preferred) {
  const chosen = select.value;
  select.innerHTML = "";
  for (const m of models) select.append(new Option(m, m));
  select.value = models.includes(chosen) ? chosen : models.includes(preferred) ? preferred : models[0] || "";
}

$("key-check").addEventListener("click", checkKey);
$("api-key").addEventListener("keydown", (e) => { if (e.key === "Enter") checkKey(); });
$("api-key").value = storedKey();
if (storedKey()) checkKey();
show(location.hash.slice(1) || "playground");
document.body.dataset.ready = "true";
export { playground, voice, operations };
