// NHS numbers: ten digits, the last a Modulus 11 check digit (NHS Data
// Dictionary, NHS NUMBER). The server refuses others with "NHS Number is
// invalid"; checking first saves a round trip and a 400.

const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(value[i]) * (WEIGHTS[i] as number);
  const check = 11 - (sum % 11);
  if (check === 10) return false; // no valid number has this prefix
  return (check === 11 ? 0 : check) === Number(value[9]);
}

/**
 * Removes the spaces and hyphens people write NHS numbers with ("943 476 5919").
 * Never applied silently: call it yourself when the input comes from a person.
 */
export const normaliseNhsNumber = (value: string) => value.replace(/[\s-]/g, "");
