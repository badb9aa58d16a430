// Runs the Rust core off the main thread. Messages: {id, request} in; {id, report} or
// {id, error} out. The module's bytes come inlined (connect-src 'none' forbids fetching them).
import { initSync, analyze } from './pkg/headroom.js';
import wasmBase64 from './pkg/headroom_wasm.js';

function decode(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let ready = false;
try {
  initSync({ module: decode(wasmBase64) });
  ready = true;
  postMessage({ type: 'ready' });
} catch (error) {
  postMessage({ type: 'fatal', error: String(error && error.message || error) });
}

self.onmessage = (event) => {
  const { id, request } = event.data;
  if (!ready) {
    postMessage({ id, error: 'the calculation engine failed to start' });
    return;
  }
  const started = performance.now();
  try {
    const report = analyze(request);
    postMessage({ id, report, ms: performance.now() - started });
  } catch (error) {
    postMessage({ id, error: String(error && error.message || error) });
  }
};
