// The playground page: loads the models, asks for a credential when the gateway wants one, then
// embeds the texts and the query (heatmap, top matches) and reranks the texts (score bars),
// showing for every request what the gateway did.
import { EXAMPLE_QUERY, EXAMPLE_TEXTS } from "./playground/corpus.js";
import { el, fill } from "./playground/dom.js";
import { createGateway } from "./playground/gateway.js";
import { renderHeatmap } from "./playground/heatmap.js";
import { fillPicker, renderModelNote } from "./playground/model-picker.js";
import { renderMatches, renderRerank } from "./playground/rankings.js";
import { logRow, summarize, summaryLine } from "./playground/request-log.js";
import { initSearchPanel } from "./playground/search-panel.js";

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const ui = {
  credentialForm: $("credential-form"),
  credential: $("credential"),
  credentialError: $("credential-error"),
  embedModel: $("embed-model"),
  embedNote: $("embed-model-note"),
  rerankModel: $("rerank-model"),
  rerankNote: $("rerank-model-note"),
  texts: $("texts"),
  query: $("query"),
  noCache: $("no-cache"),
  run: $("run"),
  embed: $("embed"),
  rerank: $("rerank"),
  status: $("status"),
  heatmap: $("heatmap"),
  embedSummary: $("embed-summary"),
  matches: $("matches"),
  rerankResults: $("rerank-results"),
  rerankSummary: $("rerank-summary"),
  log: $("request-log"),
};

/** The latest response per path, so each result can show the request that produced it. */
const lastResponse = new Map();
const gateway = createGateway({
  onResponse(info) {
    const summary = summarize(info);
    lastResponse.set(summary.path, { ...summary, headers: info.headers });
    ui.log.prepend(logRow(summary));
  },
});
/** @type {import("./playground/gateway.js").Model[]} */
let models = [];

function setStatus(text, kind = "") {
  ui.status.textContent = text;
  ui.status.className = kind;
}

function askForCredential(message) {
  ui.credentialForm.hidden = false;
  ui.credentialError.textContent = message;
  ui.credential.focus();
}

/** Shows a failed call: a 401 asks for a credential, anything else is shown with its code. */
function showError(err) {
  if (err?.status === 401) {
    askForCredential(gateway.hasCredential() ? `The gateway refused this credential (${err.code}).` : "");
    setStatus("This gateway needs a credential.", "error");
  } else setStatus(`${err?.message ?? err}${err?.code ? ` (${err.code})` : ""}`, "error");
}

async function loadModels() {
  try {
    models = await gateway.listModels();
  } catch (err) {
    return showError(err);
  }
  ui.credentialForm.hidden = true;
  fillPicker(ui.embedModel, models, "embedding");
  fillPicker(ui.rerankModel, models, "rerank");
  updateNotes();
  setStatus(`${models.length} models. Edit the texts or the query, then run.`);
  for (const button of [ui.run, ui.embed, ui.rerank]) button.disabled = false;
  searchPanel.enable();
}

function updateNotes() {
  renderModelNote(
    ui.embedNote,
    models.find((m) => m.id === ui.embedModel.value),
  );
  renderModelNote(
    ui.rerankNote,
    models.find((m) => m.id === ui.rerankModel.value),
  );
}

function readInputs() {
  const texts = ui.texts.value
    .split("\n")
    .map((t) => t.trim())
    .filter(Boolean);
  const query = ui.query.value.trim();
  if (texts.length === 0 || !query) throw new Error("Type at least one text and a query.");
  return { texts, query };
}

async function embed(client, { texts, query }) {
  const [queryVector, ...vectors] = await client.embed([query, ...texts], { model: ui.embedModel.value });
  const similarities = renderHeatmap(ui.heatmap, { query, texts, queryVector, vectors });
  renderMatches(ui.matches, texts, similarities, 5);
  fill(ui.embedSummary, summaryLine(lastResponse.get("/v1/embeddings")));
}

async function rerank(client, { texts, query }) {
  const results = await client.rerank(query, texts, { model: ui.rerankModel.value, topN: texts.length });
  renderRerank(ui.rerankResults, texts, results);
  fill(ui.rerankSummary, summaryLine(lastResponse.get("/v1/rerank")));
}

/** Runs the given steps with the buttons disabled; the status says what happened. */
async function run(steps) {
  const buttons = [ui.run, ui.embed, ui.rerank];
  buttons.forEach((b) => (b.disabled = true));
  setStatus("Working…");
  try {
    const inputs = readInputs();
    const client = gateway.client({ noCache: ui.noCache.checked });
    for (const step of steps) await step(client, inputs);
    setStatus(`Done: ${inputs.texts.length} texts.`, "ok");
  } catch (err) {
    showError(err);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

const searchPanel = initSearchPanel(
  {
    collection: $("collection"),
    collections: $("collections"),
    index: $("index-texts"),
    search: $("search"),
    rerank: $("search-rerank"),
    note: $("collection-note"),
    summary: $("search-summary"),
    results: $("search-results"),
  },
  {
    gateway,
    inputs: readInputs,
    embedModel: () => ui.embedModel.value,
    rerankModel: () => ui.rerankModel.value,
    noCache: () => ui.noCache.checked,
    lastResponse: (path) => lastResponse.get(path),
    setStatus,
    showError,
  },
);

ui.texts.value = EXAMPLE_TEXTS.join("\n");
ui.query.value = EXAMPLE_QUERY;
ui.embedModel.addEventListener("change", updateNotes);
ui.rerankModel.addEventListener("change", updateNotes);
ui.run.addEventListener("click", () => run([embed, rerank]));
ui.embed.addEventListener("click", () => run([embed]));
ui.rerank.addEventListener("click", () => run([rerank]));
ui.credentialForm.addEventListener("submit", (event) => {
  event.preventDefault();
  gateway.setCredential(ui.credential.value);
  ui.credential.value = "";
  loadModels();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !ui.run.disabled) run([embed, rerank]);
});
fill(ui.heatmap, el("p", { class: "empty" }, "Run to embed the texts and the query."));
loadModels();
