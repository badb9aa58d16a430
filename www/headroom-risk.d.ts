// Types of the <headroom-risk> element (headroom-risk.js). The request and report types are the
// package's own (pkg/headroom.d.ts).
import type { Request, Report } from './pkg/headroom.js';

export declare class HeadroomRiskElement extends HTMLElement {
  /** The request computed: the object `analyze` takes. Setting it recomputes. */
  request: Request | null;
  /** The last report, or null before the first computation. */
  readonly report: Report | null;
}

declare global {
  interface HTMLElementTagNameMap {
    'headroom-risk': HeadroomRiskElement;
  }
  interface HTMLElementEventMap {
    /** After each computation: the report. */
    'headroom-report': CustomEvent<Report>;
    /** When the request is malformed (the message names the field) or the engine failed. */
    'headroom-error': CustomEvent<string>;
  }
}
