// Lab 09's channel against Node's own. A Node parent spawns a child with an 'ipc' entry in its
// stdio and talks to it with child.send() and child.on('message'): Node's JSON lines and its handle
// protocol (lib/internal/child_process.js), unchanged. The child is lab 09's NodeChild (Java, the
// Channel on NODE_CHANNEL_FD) or, for comparison, this same file running as a Node child.
//
//   node docs/bench/node_interop.js                  checks against the reference solution's Java child
//   node docs/bench/node_interop.js --labs           ... against your lab 09
//   node docs/bench/node_interop.js --bench          round trips and throughput: Java child and Node child, in turn
//   node docs/bench/node_interop.js --wire           the bytes Node writes on the channel, read raw by `cat`
//   node docs/bench/node_interop.js --demo [--no-pause]  the lecture demo (./ipclab demo node-interop)
//   node docs/bench/node_interop.js --orphan         spawns the child, prints its pid, dies by SIGKILL
//   node docs/bench/node_interop.js [...] -- CMD ARGS   another command for the Java child (the self-tests give one)
//
// Exit status 0 when every check passed. Every line it prints starts with what it is about.
'use strict';
const { execFileSync, spawn, fork } = require('node:child_process');
const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const DEADLINE_MS = 60_000;
const ANSWER = /^handled by (java|node)-(\d+)\n$/;

// ---- the Node child: what NodeChild.java does, in Node ----------------------------------------

function runAsNodeChild() {
  const answer = `handled by node-${process.pid}\n`;
  process.on('message', (message, handle) => {
    process.send({ echo: message });
    if (handle instanceof net.Socket) {
      handle.end(answer);
    } else if (handle instanceof net.Server) {
      handle.on('connection', (socket) => socket.end(answer));
    }
    if (message && message.give === 'server') {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        process.send({ server: server.address().port }, server, () => server.close());
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

// ---- the demo (./ipclab demo node-interop) ---------------------------------------------------

/** Steps with a title, as the course's Java demos print them; between steps, Enter when on a terminal. */
class Narrator {
  constructor(pause) {
    this.pause = pause && process.stdin.isTTY && process.stdout.isTTY;
    this.steps = 0;
  }

  async step(title) {
    if (this.pause && this.steps > 0) {
      process.stdout.write('\n  [Enter] next step ');
      await new Promise((resolve) => process.stdin.once('data', resolve));
    }
    this.steps++;
    console.log(`\n── ${this.steps}. ${title} ${'─'.repeat(Math.max(3, 70 - title.length))}`);
  }

  say(text) {
    console.log(`   ${text}`);
  }
}

/** What a descriptor of a process is, as the kernel shows it: "socket:[inode]" for a socket. */
function fdTarget(pid, fd) {
  try {
    return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch (error) {
    return `(${error.code})`;
  }
}

/** The descriptors of process `pid` that are `target` (the same open socket). */
function fdsOf(pid, target) {
  return fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => fdTarget(pid, fd) === target);
}

async function demo(args) {
  const n = new Narrator(!args.includes('--no-pause'));
  await n.step('Node spawns the Java child with an \'ipc\' entry in its stdio');
  const child = spawnJava(args);
  const first = nextMessages(child, 1, 'the first echo');
  child.send({ hello: 'from Node' });
  await first; // the child is up, and speaks
  const environ = fs.readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0').filter((v) => v.startsWith('NODE_CHANNEL'));
  n.say(`spawn(${JSON.stringify(javaCommand(args).map((a) => path.relative(ROOT, a) || a))}, {stdio: [..., 'ipc']}): child pid ${child.pid}`);
  n.say(`its environment, as Node set it: ${environ.join(' ')}`);
  n.say(`the child's fd 3:     ${fdTarget(child.pid, 3)}   (its end of a socketpair Node made)`);
  n.say(`Node's end (fd ${child.channel.fd}): ${fdTarget(process.pid, child.channel.fd)}`);
  n.say('Java found fd 3 in NODE_CHANNEL_FD, as a Node child would, and reads it with lab 09\'s Channel.');

  await n.step('Messages both ways: child.send() in Node, Channel.send() in Java, one JSON line each');
  for (const value of [{ hello: 'from Node', list: [1, 2, 3] }, 'a string', 42]) {
    const echo = nextMessages(child, 1, 'an echo');
    child.send(value);
    const [{ message }] = await echo;
    n.say(`node → java ${JSON.stringify(value)}    java → node ${JSON.stringify(message)}`);
  }

  await n.step('Node\'s server accepts; each connection goes to Java as a net.Socket (SCM_RIGHTS)');
  const server = net.createServer({ pauseOnConnect: true });
  server.on('connection', (socket) => child.send({ socket: 'accepted by Node' }, socket));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  n.say(`Node listens on 127.0.0.1:${server.address().port}; a client connects three times`);
  for (let i = 0; i < 3; i++) {
    const echoed = nextMessages(child, 1, 'the echo of a socket message');
    n.say(`client ${i + 1} reads: ${JSON.stringify(await fetchAnswer(server.address().port))}`);
    await echoed;
  }
  n.say('Node sent {"cmd":"NODE_HANDLE","type":"net.Socket","msg":{...}} with the socket; Java acked, answered, closed.');

  await n.step('The kernel\'s view: the listening socket itself, in two processes');
  const listenerFd = server._handle.fd;
  const listenPort = server.address().port;
  const listener = fdTarget(process.pid, listenerFd);
  n.say(`Node's listener: fd ${listenerFd} -> ${listener}`);
  const handedOver = nextMessages(child, 1, 'the echo of the listener');
  child.send({ listener: 'yours now' }, server);
  await handedOver;
  n.say(`the child now holds the same socket: /proc/${child.pid}/fd/${fdsOf(child.pid, listener).join(',')} -> ${listener}`);
  server.close(); // Node keeps a net.Server it sent; closing ours leaves the child's copy listening
  n.say(`Node closed its copy (fd ${listenerFd}); the socket lives on in the child alone:`);
  try {
    for (const line of execFileSync('ss', ['-Hltnp', `sport = :${listenPort}`], { encoding: 'utf8' }).trim().split('\n')) n.say(`  ss: ${line}`);
  } catch (error) {
    n.say('  (ss is not installed: /proc shows the same)');
  }
  n.say(`a client connects to :${listenPort} and reads: ${JSON.stringify(await fetchAnswer(listenPort))}`);

  await n.step('And back: Java sends Node a listening socket; Node accepts on it');
  const back = nextMessages(child, 2, 'the echo and the listener');
  child.send({ give: 'server' });
  const given = (await back).find(({ handle }) => handle);
  given.handle.on('connection', (socket) => socket.end(`handled by node-${process.pid}\n`));
  n.say(`Node received ${JSON.stringify(given.message)} with a ${given.handle.constructor.name} listening on :${given.message.server}`);
  n.say(`a client reads: ${JSON.stringify(await fetchAnswer(given.message.server))}`);
  given.handle.close();

  await n.step('child.disconnect(): the child sees the end of its channel and exits');
  n.say(`the child exited with ${await disconnected(child)}`);
}

// ---- the parent ------------------------------------------------------------------------------

function javaCommand(args) {
  const dashes = args.indexOf('--');
  if (dashes >= 0) return args.slice(dashes + 1);
  return [path.join(ROOT, 'ipclab'), 'node-child', args.includes('--labs') ? '--labs' : '--solutions'];
}

function spawnJava(args) {
  const [command, ...rest] = javaCommand(args);
  return spawn(command, rest, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function forkNode() {
  return fork(__filename, ['--as-node-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next `count` messages of `child`, as a promise; those with a handle are kept with it. */
function nextMessages(child, count, what) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => done(new Error(`${what}: ${got.length} of ${count} messages within ${DEADLINE_MS} ms`)),
      DEADLINE_MS);
    const onMessage = (message, handle) => {
      got.push({ message, handle });
      if (got.length === count) done();
    };
    const onExit = (code, signal) => done(new Error(`${what}: the child exited (${code ?? signal}) after ${got.length} messages`));
    function done(error) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error); else resolve(got);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Connects to `port` and resolves with everything read until the other side's end. */
function fetchAnswer(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(DEADLINE_MS, () => socket.destroy(new Error(`no answer on port ${port} within ${DEADLINE_MS} ms`)));
    socket.on('data', (chunk) => { text += chunk; });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

function check(what, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  if (!ok) process.exitCode = 1;
}

async function echoes(child, count) {
  const answers = nextMessages(child, count, 'echoes');
  for (let i = 0; i < count; i++) child.send({ n: i, text: `ünï ${i}`, nested: { list: [i, null, true] } });
  const got = await answers;
  const inOrder = got.every(({ message }, i) => message && message.echo && message.echo.n === i && message.echo.text === `ünï ${i}`);
  check(`${count} messages echoed in order`, inOrder, inOrder ? '' : JSON.stringify(got.find(({ message }, i) => message?.echo?.n !== i)));
  const odd = ['a string', 42, [1, 'two'], null, { cmd: 'not internal' }];
  const back = nextMessages(child, odd.length, 'other JSON values');
  for (const value of odd) child.send(value);
  const same = (await back).map(({ message }) => JSON.stringify(message.echo));
  check('any JSON value is a message', JSON.stringify(same) === JSON.stringify(odd.map((v) => JSON.stringify(v))), same.join(' '));
}

/** Node's server accepts; each connection goes to the child as a net.Socket; the client reads the child's answer. */
async function socketsHandedOver(child, count) {
  const server = net.createServer({ pauseOnConnect: true });
  let sent = 0;
  server.on('connection', (socket) => child.send({ socket: sent++ }, socket));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const echoed = nextMessages(child, count, 'echoes of the socket messages');
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await fetchAnswer(server.address().port));
  await echoed;
  server.close();
  const bad = answers.filter((a) => !ANSWER.test(a));
  check(`${count} sockets handed over and answered by the child`, bad.length === 0,
    bad.length ? `${bad.length} wrong answers, e.g. ${JSON.stringify(bad[0])}` : answers[0].trim());
  return answers[0];
}

/** The child opens a listener and sends it back: Node gets a net.Server and answers on it itself. */
async function serverHandedBack(child) {
  const reply = nextMessages(child, 2, 'the echo and the listener');
  child.send({ give: 'server' });
  const got = await reply;
  const withServer = got.find(({ handle }) => handle);
  check('the child sent a listening socket back, as a net.Server', withServer && withServer.handle instanceof net.Server,
    withServer ? `{"server": ${withServer.message.server}}` : JSON.stringify(got.map(({ message }) => message)));
  if (!withServer) return;
  withServer.handle.on('connection', (socket) => socket.end(`handled by node-${process.pid}\n`));
  const text = await fetchAnswer(withServer.message.server);
  check('Node accepts on the listener the child gave it', text === `handled by node-${process.pid}\n`, text.trim());
  withServer.handle.close();
}

/** Sequential round trips: p50 and p99 in microseconds. */
async function roundTrips(child, count) {
  const micros = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const reply = nextMessages(child, 1, 'a round trip');
    const start = process.hrtime.bigint();
    child.send({ n: i });
    await reply;
    micros[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  micros.sort();
  return { p50: micros[Math.floor(count * 0.5)], p99: micros[Math.floor(count * 0.99)] };
}

/** Messages of about 100 bytes, sent without waiting; the clock stops at the last echo. */
async function throughput(child, count) {
  const pad = 'x'.repeat(80);
  const all = nextMessages(child, count, 'throughput');
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) child.send({ n: i, pad });
  await all;
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

function disconnected(child) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(null); }, DEADLINE_MS);
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve(code ?? signal); });
    child.disconnect();
  });
}

/**
 * Sockets sent without waiting, then child.disconnect() at once: Node holds the disconnect back
 * until the last handle's ack (lib/internal/child_process.js 912-914, 684-686), then closes its end
 * while the child may still be answering that last message. Every socket acked must still be answered.
 */
async function disconnectWithSocketsInFlight(child, count) {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise((resolve) => {
    const sockets = [];
    server.on('connection', (socket) => { if (sockets.push(socket) === count) resolve(sockets); });
  });
  const answers = Array.from({ length: count }, () => fetchAnswer(server.address().port));
  // The echoes need a listener: without one Node keeps a message for later on target.channel,
  // which _disconnect has set to null (lib/internal/child_process.js 920, 953-955): a TypeError.
  child.on('message', () => {});
  (await accepted).forEach((socket, i) => child.send({ inFlight: i }, socket));
  const status = await disconnected(child);
  const bad = (await Promise.all(answers)).filter((a) => !ANSWER.test(a));
  server.close();
  check(`${count} sockets in flight at disconnect() answered by the child`, bad.length === 0,
    bad.length ? `${bad.length} not answered, e.g. ${JSON.stringify(bad[0])}` : '');
  return status;
}

async function checks(args) {
  const child = spawnJava(args);
  const command = javaCommand(args);
  console.log(`child ${child.pid}: ${command.length > 4 ? `${command[0]} … ${command[command.length - 1]}` : command.join(' ')}`);
  let status;
  try {
    await echoes(child, 1000);
    await socketsHandedOver(child, 100);
    await serverHandedBack(child);
    status = await disconnectWithSocketsInFlight(child, 50);
  } finally {
    if (status === undefined) status = await disconnected(child);
    check('the child exits 0 when the parent disconnects', status === 0, `exit ${status}`);
  }
}

async function bench(args) {
  const rounds = 3;
  console.log(`bench: node ${process.version}, ${rounds} rounds, each child in turn; round trips: 20,000 after 5,000 warm-up;`
    + ' throughput: 100,000 messages of about 100 bytes, after 100,000 warm-up');
  for (let round = 1; round <= rounds; round++) {
    for (const [name, start] of [['java', () => spawnJava(args)], ['node', forkNode]]) {
      const child = start();
      await roundTrips(child, 5000);
      const rtt = await roundTrips(child, 20000);
      await throughput(child, 100000);
      const rate = await throughput(child, 100000);
      console.log(`bench ${name} round ${round}: round trip p50 ${rtt.p50.toFixed(1)} µs p99 ${rtt.p99.toFixed(1)} µs,`
        + ` ${Math.round(rate)} messages/s`);
      await disconnected(child);
    }
  }
}

/**
 * What Node writes on the channel, byte for byte: the child is `cat`, reading its end of the socket
 * as plain bytes (a descriptor riding along is dropped by the kernel, as nobody asked for it with
 * recvmsg). Node then waits for a NODE_HANDLE_ACK that cat never sends, and holds the last message back.
 */
async function wire() {
  const tap = spawn('sh', ['-c', 'exec cat <&3'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let bytes = '';
  const handleLineSeen = new Promise((resolve) => {
    tap.stdout.setEncoding('utf8');
    tap.stdout.on('data', (chunk) => {
      bytes += chunk;
      if (bytes.includes('"NODE_HANDLE"')) resolve();
    });
  });
  const server = net.createServer({ pauseOnConnect: true });
  server.on('connection', (socket) => {
    tap.send({ socket: 1 }, socket);
    tap.send({ after: 'the handle' }); // held back by Node until the ACK
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  tap.send({ hello: 'from Node', text: 'ünï "quoted"\nsecond line' });
  tap.send('a string');
  tap.send(42);
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('error', () => {});
  await handleLineSeen;
  for (const line of bytes.split('\n').filter((l) => l)) console.log(`wire node → child: ${line}\\n`);
  console.log('wire (the NODE_HANDLE line carried the socket as SCM_RIGHTS; {"after":"the handle"} waits in Node\'s'
    + ' _handleQueue for a NODE_HANDLE_ACK that cat never sends)');
  client.destroy();
  server.close();
  tap.kill();
}

async function orphan(args) {
  const child = spawnJava(args);
  console.log(`child ${child.pid}`);
  // Wait until the child speaks, so that it dies from the parent's death, not from never starting.
  const echoed = nextMessages(child, 1, 'the first echo');
  child.send({ alive: true });
  await echoed;
  console.log('parent dies now');
  process.kill(process.pid, 'SIGKILL');
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--as-node-child')) return runAsNodeChild();
  if (args.includes('--orphan')) return orphan(args);
  if (args.includes('--bench')) return bench(args);
  if (args.includes('--wire')) return wire();
  if (args.includes('--demo')) return demo(args);
  return checks(args);
}

main().catch((error) => {
  console.log(`FAIL ${error.message}`);
  process.exit(1);
});
