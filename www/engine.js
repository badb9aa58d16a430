// Starts the calculation engine's worker as early as the page can: this module has no imports,
// so it runs as soon as it arrives, while app.js and its imports are still loading.
const url = new URL('./pkg/worker.js', import.meta.url); // www/worker.js, bundled by the build
/** Another worker, for the work a request can be split into (app.js starts one after the first report). */
export const startWorker = () => new Worker(url, { type: 'module' });
export const worker = startWorker();
