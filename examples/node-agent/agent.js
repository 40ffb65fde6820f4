// A Caravan agent in Node on AMQP 1.0 (rhea). Reads caravan.workflow.<wf>.agent.node and answers
// every query with a response to the asker's reply_to, correlated by the query's message id.
const rhea = require('rhea');
const { randomUUID } = require('crypto');

const amqp = new URL(process.env.CARAVAN_AMQP || 'amqp://localhost:61616');
const workflow = process.env.WORKFLOW || 'demo';
const me = process.env.AGENT || 'node';
const queue = (agent) => `caravan.workflow.${workflow}.agent.${agent}`;

const container = rhea.create_container({ id: `caravan-${me}` });
const connection = container.connect({
  host: amqp.hostname,
  port: Number(amqp.port || 5672),
  username: process.env.CARAVAN_USER || 'caravan',
  password: process.env.CARAVAN_PASSWORD || 'caravan',
  reconnect: true,
});
// One anonymous sender; each message names its target queue in `to`.
const sender = connection.open_sender({ target: {} });
// Manual acceptance: a message is settled only after the answer went out (at least once).
connection.open_receiver({ source: queue(me), autoaccept: false, credit_window: 10 });
console.log(`${me} agent reading ${queue(me)} on ${amqp.href}`);

container.on('message', (context) => {
  const msg = context.message;
  const props = msg.application_properties || {};
  const body = typeof msg.body === 'string' ? msg.body
    : msg.body && msg.body.content ? Buffer.from(msg.body.content).toString() : JSON.stringify(msg.body);
  console.log(`${props.caravan_message_type} from ${props.caravan_source_agent}: ${body}`);
  if (props.caravan_message_type === 'query') {
    const target = props.caravan_reply_to || props.caravan_source_agent;
    sender.send({
      to: queue(target),
      durable: true,
      correlation_id: props.caravan_message_id,
      body: JSON.stringify({ answer: 42, by: me }),
      application_properties: {
        caravan_workflow_id: workflow,
        caravan_source_agent: me,
        caravan_target_agent: target,
        caravan_message_type: 'response',
        caravan_message_id: randomUUID(),
        caravan_timestamp: Date.now(),
      },
    });
  }
  context.delivery.accept();
});

container.on('error', (context) => console.error('AMQP error', context.error || context));
