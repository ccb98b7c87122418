/** Money: amounts are kept in minor units of an ISO 4217 currency (cents for EUR, yen for JPY). */
import type { Translator } from './i18n.js';

const digitsByCurrency = new Map<string, number>();
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Whether the code is an ISO 4217 currency Intl knows. */
export function isCurrency(value: string): boolean {
  return CURRENCIES.has(value);
}

/** How many decimals a currency's minor unit has (2 for EUR, 0 for JPY); 2 for a code Intl does not know. Kept per currency: building a formatter costs more than using one. */
export function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      return 2;
    }
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** "250" or "250.50" (or "250,50") in a currency as minor units; undefined when it has more decimals than the currency. */
export function toMinorUnits(amount: string, currency: string): number | undefined {
  const m = /^(\d{1,12})(?:[.,](\d{1,3}))?$/.exec(amount.trim());
  if (!m) return undefined;
  const digits = currencyDigits(currency);
  const fraction = m[2] ?? '';
  if (fraction.length > digits) return undefined;
  return Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** Minor units as a plain decimal ("250.50"), for forms, files and the API. */
export function majorUnits(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 10 ** digits)}.${String(abs % 10 ** digits).padStart(digits, '0')}`;
}

/** Minor units as people read them in their language ("250,50 €"). */
export function formatMoney(i18n: Pick<Translator, 'formatNumber'>, minor: number, currency: string): string {
  return i18n.formatNumber(minor / 10 ** currencyDigits(currency), { style: 'currency', currency });
}
