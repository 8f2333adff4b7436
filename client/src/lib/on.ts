import { guard } from './guard';

/** addEventListener on the window, with the listener guarded so it never throws into the page. */
export const on = (type: string, listener: (event: never) => unknown, capture?: boolean): void =>
  addEventListener(type, guard(listener) as EventListener, capture);
