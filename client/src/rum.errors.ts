/** rum.errors.js: errors, page views, the API and transport; no web-vitals at all. */
import { start } from './start';

start();
