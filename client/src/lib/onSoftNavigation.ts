import { guard } from './guard';
import { on } from './on';

/**
 * Calls `callback` with the previous URL when `history.pushState` or `popstate` changes the
 * URL, fragment aside (in-page anchors fire popstate too).
 */
export const onSoftNavigation = (callback: (previousUrl: string) => void): void => {
  const page = () => location.href.split('#')[0]!;
  let url = page();
  const onUrlChange = guard(() => {
    if (page() != url) {
      const previous = url;
      url = page();
      callback(previous);
    }
  });
  const pushState = history.pushState;
  history.pushState = function (...args) {
    pushState.apply(this, args);
    onUrlChange();
  };
  on('popstate', onUrlChange);
};
