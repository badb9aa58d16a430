// The single-file build's engine: the worker's code travels inside the page (a Blob), since a
// page opened from disk may not load a worker from a file. scripts/build-web.mjs puts the
// bundled worker's source in WORKER_SOURCE.
/* global WORKER_SOURCE */
const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
export const startWorker = () => new Worker(url);
export const worker = startWorker();
