/** How a mobile phone number is sent: as given, digits only (as Hyfin's own Get Customer returns it), or E.164. */
export type PhoneFormat = 'asGiven' | 'digitsOnly' | 'e164';

export const countDigits = (value: string) => value.replace(/\D/g, '').length;

const PHONE_CHARACTERS = /^\+?[\d\s().\-/]+$/;

/** Whether a value is plausibly a phone number: 7 to 15 digits, with the usual separators. */
export const isPlausiblePhone = (value: string) => PHONE_CHARACTERS.test(value) && countDigits(value) >= 7 && countDigits(value) <= 15;

/**
 * A plausible phone number in the chosen format. For E.164 a number without `+` or `00` is taken
 * as national: its one trunk `0` is dropped and the default country code put in front (a North
 * American number written with its leading 1 keeps it).
 */
export function formatPhone(phone: string, format: PhoneFormat, defaultCountryCode = '1'): string {
	const digits = phone.replace(/\D/g, '');
	if (format === 'digitsOnly') return digits;
	if (format !== 'e164') return phone;
	if (phone.trim().startsWith('+')) return `+${digits}`;
	if (digits.startsWith('00')) return `+${digits.slice(2)}`;
	const country = defaultCountryCode.replace(/\D/g, '');
	if (country === '1' && digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
	const national = digits.startsWith('0') ? digits.slice(1) : digits;
	return `+${country}${national}`;
}
