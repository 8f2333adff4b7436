/** A bundling site imports the types by package name (package.json `exports`), as from npm. */
import type { DecoRum, ReservedEventName } from 'deco-rum-snippet';

export const funnel: ReservedEventName[] = ['view_product', 'add_to_cart', 'begin_checkout', 'purchase'];
export const api = (): DecoRum => window.DECO_RUM;
