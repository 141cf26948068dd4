/**
 * Turning a key into the text of a language: the whole of what the UI asked
 * of i18next (issue 18: i18next and react-i18next were 16 KB of the counter's
 * 119 KB of first JavaScript, about 45 ms of a page load and a tenth of a
 * scan's script time on a slow counter PC). Pure TypeScript, no DOM, no React.
 *
 * What a catalogue may hold, and what `t` does with it (the catalogues' own
 * conventions, checked by shared/i18n/i18n.test.ts):
 * - Keys are paths: 'counter.member.title'. A key may itself hold dots
 *   (`logKinds['redeem.posted']`): 'logKinds.redeem.posted' finds it.
 * - Plurals: with a numeric `count`, 'x' reads 'x_one' or 'x_other' by the
 *   language's plural rule (`Intl.PluralRules`: French says "0 carte"). A
 *   form the catalogue lacks (French's 'many' for a million) reads 'x_other'.
 * - Placeholders: `{{name}}` takes `values.name` as it is (React escapes
 *   what it shows); a value not given leaves the placeholder, so a screen
 *   that forgot one shows it (as i18next did). Substituted text is never
 *   read again for placeholders, so a member's name cannot inject one.
 * - A key missing in the language reads the fallback language's text; a key
 *   missing in both reads as the key itself (a screen shows "verify.intact",
 *   not nothing, if a text has not loaded).
 */

/** A catalogue: texts, or sections of texts, by key. */
export interface TextTree {
  readonly [key: string]: string | TextTree;
}

/** What a text's placeholders take; a numeric `count` also picks the plural form (a count already formatted as text only fills `{{count}}`). */
export type TextValues = { readonly count?: number | string } & { readonly [name: string]: unknown };

/** A language's `t`: the text for a key, with its placeholders filled. */
export type TFunction = (key: string, values?: TextValues) => string;

/** The catalogue loaded for a language, if any. */
export type CatalogueSource<L extends string> = (lang: L) => TextTree | undefined;

/** The text at `path[from..]` in `tree`: each segment, then that segment joined with the next ones (a key holding dots). */
function findText(tree: TextTree, path: readonly string[], from: number): string | undefined {
  let key = '';
  for (let i = from; i < path.length; i++) {
    key = i === from ? path[i]! : `${key}.${path[i]}`;
    const node = tree[key];
    if (node === undefined) continue;
    if (i === path.length - 1) return typeof node === 'string' ? node : undefined;
    if (typeof node !== 'string') {
      const found = findText(node, path, i + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The text stored under `key` (no plural, no placeholders). */
export function lookupText(tree: TextTree | undefined, key: string): string | undefined {
  if (!tree) return undefined;
  // Most keys are plain paths: one walk, no array for a key without dots.
  return key.includes('.') ? findText(tree, key.split('.'), 0) : typeof tree[key] === 'string' ? (tree[key] as string) : undefined;
}

const pluralRules = new Map<string, Intl.PluralRules>();
function pluralForm(lang: string, count: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  return rules.select(count);
}

/** The key's text in one language, its plural form chosen by that language's rule. */
function textIn(tree: TextTree | undefined, lang: string, key: string, count: number | undefined): string | undefined {
  if (!tree) return undefined;
  if (count !== undefined) {
    const form = pluralForm(lang, count);
    const plural = lookupText(tree, `${key}_${form}`) ?? (form === 'other' ? undefined : lookupText(tree, `${key}_other`));
    if (plural !== undefined) return plural;
  }
  return lookupText(tree, key);
}

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

/** `{{name}}` filled from `values`, in one pass; one not given stays as it is. */
export function fillPlaceholders(text: string, values: TextValues | undefined): string {
  if (!text.includes('{{')) return text;
  return text.replace(PLACEHOLDER, (placeholder, name: string) => {
    const v = values?.[name];
    return v === undefined || v === null ? placeholder : String(v);
  });
}

/**
 * Texts in one language, with a fallback language for what it lacks. Reads
 * the catalogues through `source` on every call, so a catalogue loaded later
 * (the desk's texts) is seen by a `t` made before.
 */
export function makeT<L extends string>(source: CatalogueSource<L>, lang: L, fallback: L): TFunction {
  return (key, values) => {
    const count = typeof values?.count === 'number' ? values.count : undefined;
    const text = textIn(source(lang), lang, key, count) ?? (lang === fallback ? undefined : textIn(source(fallback), fallback, key, count));
    return text === undefined ? key : fillPlaceholders(text, values);
  };
}

/** `t` for the keys under `prefix` ('offers': 'title' reads 'offers.title'). */
export function withPrefix(t: TFunction, prefix: string): TFunction {
  return (key, values) => t(`${prefix}.${key}`, values);
}

/** Whether the key has a text in the language or the fallback (a plural key counts by its forms). */
export function hasText<L extends string>(source: CatalogueSource<L>, lang: L, fallback: L, key: string): boolean {
  return [lang, fallback].some((l) => {
    const tree = source(l);
    return lookupText(tree, key) !== undefined || lookupText(tree, `${key}_other`) !== undefined;
  });
}
