// The seed program in Node.js: what lab 10's cluster server answers like, and what its load client
// can be pointed at for comparison.
//
//   PORT=8989 WORKERS=2 DELAY_MS=10 SCHED=rr node docs/bench/cluster_seed.js
//   ./ipclab bench cluster --target 127.0.0.1:8989     (see docs/performance.md)
//
// SCHED=rr is Node's default on Linux (the primary accepts and hands sockets round-robin);
// SCHED=shared lets the workers accept on one shared listening socket (cluster.SCHED_NONE).
'use strict';
const cluster = require('node:cluster');
const net = require('node:net');
const os = require('node:os');

const port = Number(process.env.PORT || 8989);
const workers = Number(process.env.WORKERS || os.availableParallelism());
const delayMs = Number(process.env.DELAY_MS ?? 10);
cluster.schedulingPolicy = process.env.SCHED === 'shared' ? cluster.SCHED_NONE : cluster.SCHED_RR;

if (cluster.isPrimary) {
  cluster.on('online', (worker) => console.log(`Create worker-${worker.process.pid}`));
  cluster.on('exit', (worker, code, signal) => {
    console.log(`[Master] worker ${worker.process.pid} died with code: ${code}, and ${signal}`);
    if (!stopping) cluster.fork();
  });
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) worker.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  net.createServer((socket) => {
    setTimeout(() => socket.end(`Request handled by worker-${process.pid}\n`), delayMs);
  }).listen(port, '127.0.0.1');
}
