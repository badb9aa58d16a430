// The worker of <headroom-risk> as the npm package ships it (headroom/element): the same messages
// as the page's worker (worker.js), but the module is loaded by URL from the package's own
// headroom_bg.wasm — its only copy, streamed and compiled once — instead of travelling inlined
// in the script (the page inlines it because its policy forbids fetching).
import init, { analyzeColumnar } from './headroom.js';
import { transferables } from './positions-columns.js';

const ready = init({ module_or_path: new URL('./headroom_bg.wasm', import.meta.url) }).then(
  () => { postMessage({ type: 'ready' }); return true; },
  (error) => { postMessage({ type: 'fatal', error: `the calculation engine failed to start: ${String((error && error.message) || error)}` }); return false; },
);

self.onmessage = async (event) => {
  const { id, request } = event.data;
  if (!(await ready)) return;
  try {
    const { report, positions } = analyzeColumnar(request);
    postMessage({ id, report, positions }, transferables(positions));
  } catch (error) {
    postMessage({ id, error: String((error && error.message) || error) });
  }
};
