/**
 * The attempt's reference, sent as `x-request-id` on the writes whose body
 * carries nothing of the terminal's (UiTPAS redeem and cancel, Capillary
 * reverse): the program's support can find a request by it. No program
 * documents the header, so the terminal relies on nothing about it (no
 * dedupe, no lookup). The emulators record it beside the change it made, so
 * the crash harness can tell which attempt a ledger entry came from.
 */
const REQUEST_ID_HEADER = 'x-request-id';

export function requestIdHeader(reference: string): Record<string, string> {
  return { [REQUEST_ID_HEADER]: reference };
}
