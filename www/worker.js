// Runs the Rust core off the main thread. Messages in: {id, request}, or {id, request, part:
// 'scenarios'} for the report's scenarios alone. Out: {id, report, positions} (the positions in
// columns, their buffers transferred; see positions-columns.js), {id, part, scenarios}, or
// {id, error}. The module's bytes come inlined (connect-src 'none' forbids fetching them)
// and are compiled asynchronously, so the engine can compile lazily and tier up.
import init, { analyzeColumnar, analyzeScenarios } from './pkg/headroom.js';
import { transferables } from './positions-columns.js';
import wasmBase64 from './pkg/headroom_wasm.js';

function decode(base64) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(base64);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const ready = init({ module_or_path: decode(wasmBase64) }).then(
  () => { postMessage({ type: 'ready' }); return true; },
  (error) => { postMessage({ type: 'fatal', error: String((error && error.message) || error) }); return false; },
);

self.onmessage = async (event) => {
  const { id, request, part } = event.data;
  if (!(await ready)) {
    postMessage({ id, error: 'the calculation engine failed to start' });
    return;
  }
  const started = performance.now();
  try {
    if (part === 'scenarios') {
      postMessage({ id, part, scenarios: analyzeScenarios(request), ms: performance.now() - started });
      return;
    }
    const { report, positions } = analyzeColumnar(request);
    postMessage({ id, report, positions, ms: performance.now() - started }, transferables(positions));
  } catch (error) {
    postMessage({ id, error: String((error && error.message) || error) });
  }
};
