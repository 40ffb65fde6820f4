// A planner, three workers in parallel and a critic, in one Caravan workflow, with LangChain.js.
// Every call carries workflow_metadata through ChatOpenAI's `modelKwargs` (extra request-body
// fields); the workers name the planner's response as their parent, send their findings to the
// critic over Caravan's REST messaging API, and the critic reads them from its queue.
import { ChatOpenAI } from "@langchain/openai";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { randomBytes } from "node:crypto";

const CARAVAN_URL = (process.env.CARAVAN_URL ?? "http://localhost:8080").replace(/\/$/, "");
// The gateway's API key when it has keys (caravan.security.api-keys); any value otherwise.
const CARAVAN_API_KEY = process.env.CARAVAN_API_KEY ?? "dummy";
const MODEL = process.env.CARAVAN_MODEL ?? "meta-llama/Llama-3.1-8B-Instruct";
const WORKFLOW = process.env.WORKFLOW ?? `langchainjs-${Date.now()}-${randomBytes(3).toString("hex")}`;
const WORKERS = ["security", "performance", "operations"];

// The long context every agent shares: the planner reads it first, the workers and the critic
// repeat it word for word, so their prompts start with the same prefix and the engine that
// served the planner already holds its KV cache.
const BRIEF = [
  "You review the release of ledger-sync 4.2, a service that reconciles payment ledgers.",
  ...Array.from({ length: 60 }, (_, i) =>
    `Change ${i + 1}: module ${["api", "store", "queue", "auth", "billing"][i % 5]} ` +
    `modified ${20 + ((i * 37) % 400)} lines; tests ${i % 7 === 0 ? "flaky on CI" : "green"}; ` +
    `p99 latency ${(12 + ((i * 13) % 90)) / 10} ms; owner team-${(i % 4) + 1}.`),
].join("\n");

// One ChatOpenAI per agent: modelKwargs are merged into the body of every chat completion.
function agentModel(agentId, parentRequestId) {
  return new ChatOpenAI({
    model: MODEL,
    apiKey: CARAVAN_API_KEY,
    configuration: { baseURL: `${CARAVAN_URL}/v1` },
    temperature: 0,
    maxTokens: 120,
    modelKwargs: {
      workflow_metadata: {
        workflow_id: WORKFLOW,
        agent_id: agentId,
        ...(parentRequestId ? { parent_request_id: parentRequestId } : {}),
        context_sharing_strategy: "auto",
      },
    },
  });
}

async function caravan(method, path, body) {
  const res = await fetch(`${CARAVAN_URL}${path}`, {
    method,
    headers: body
      ? { "Content-Type": "application/json", Authorization: `Bearer ${CARAVAN_API_KEY}` }
      : { Authorization: `Bearer ${CARAVAN_API_KEY}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
const wf = encodeURIComponent(WORKFLOW);

console.log(`workflow ${WORKFLOW} at ${CARAVAN_URL} (model ${MODEL})`);
// The critic joins first (reading creates its queue), so nothing sent to it is missed.
await caravan("GET", `/v1/workflows/${wf}/agents/critic/messages?timeout=0`);

// 1. Planner
const ask = new HumanMessage(`Split the review into ${WORKERS.length} subtasks: ${WORKERS.join(", ")}.`);
const plan = await agentModel("planner").invoke([new SystemMessage(BRIEF), ask]);
console.log(`planner     ${plan.id}  ${plan.content.slice(0, 60)}...`);

// 2. Workers, in parallel, each on the planner's context, naming the planner's response as parent
const shared = [new SystemMessage(BRIEF), ask, new AIMessage(plan.content)];
const reports = await Promise.all(WORKERS.map(async (name) => {
  const answer = await agentModel(name, plan.id).invoke([
    ...shared, new HumanMessage(`You are the ${name} reviewer: do your subtask in three bullet points.`)]);
  // Agent to agent: the worker hands its findings to the critic through Caravan's broker.
  await caravan("POST", `/v1/workflows/${wf}/messages`, {
    source_agent: name, target_agent: "critic", message_type: "data",
    payload: { reviewer: name, request_id: answer.id, findings: answer.content },
  });
  console.log(`${name.padEnd(11)} ${answer.id}  sent its report to critic`);
  return answer;
}));

// 3. Critic: reads the reports from its queue, then judges them on the same context
const received = [];
for (let i = 0; i < 10 && received.length < WORKERS.length; i++) {
  const got = await caravan("GET", `/v1/workflows/${wf}/agents/critic/messages?timeout=5&max_messages=10`);
  received.push(...got.messages);
}
if (received.length < WORKERS.length) throw new Error(`critic received ${received.length} of ${WORKERS.length} reports`);
const verdict = await agentModel("critic", plan.id).invoke([
  ...shared,
  new HumanMessage("Reports from the reviewers:\n" +
    received.map((m) => `[${m.source}] ${m.payload.findings}`).join("\n") +
    "\nYou are the critic: name the weakest report and why."),
]);
console.log(`critic      ${verdict.id}  read ${received.length} reports from its queue`);

// 4. What Caravan saw
const s = await caravan("GET", `/v1/workflows/${wf}/status`);
console.log(`\nworkflow ${s.workflow_id}: engine ${s.assigned_engine} (secondary [${s.secondary_engines}]), ${s.total_requests} requests, ` +
  `cache_hits ${s.cache_hits}, cache_hit_rate ${s.cache_hit_rate}, cached_token_rate ${s.cached_token_rate}`);
for (const a of s.agents) {
  console.log(`  ${a.agent_id.padEnd(11)} requests ${a.total_requests}  cache_hits ${a.cache_hits}  ` +
    `cached_tokens ${a.cached_tokens}  engine ${a.last_engine}`);
}
const expected = ["planner", ...WORKERS, "critic"];
const missing = expected.filter((id) => !s.agents.some((a) => a.agent_id === id));
if (missing.length || !(s.cache_hits > 0)) {
  console.error(`FAILED: missing agents [${missing}] or no cache hits`);
  process.exit(1);
}
