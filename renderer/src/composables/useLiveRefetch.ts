import { onScopeDispose } from 'vue'
import { refetchOnChange } from '../stores/live'

/**
 * refetchOnChange for a panel rather than a store: it listens while the component (or effect
 * scope) lives and stops when it goes, so an opened and closed panel leaves no listener behind.
 */
export function useLiveRefetch(options: Parameters<typeof refetchOnChange>[0]): void {
  onScopeDispose(refetchOnChange(options))
}
