// Starts the calculation engine's worker as early as the page can: this module has no imports,
// so it runs as soon as it arrives, while app.js and its imports are still loading.
export const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
