import { GraphQLError } from 'graphql';
import { refusal } from '../support/refusal';
import { parseAmount, parseCurrency } from '../../subgraphs/payments/money';


describe('parseAmount', () => {
  it.each([
    ['12.5', '12.50'],
    ['12', '12.00'],
    ['12.05', '12.05'],
    ['007.1', '7.10'],
    ['0.01', '0.01'],
    ['0.1', '0.10'],
    ['00.10', '0.10'],
    ['  3.4  ', '3.40'],
    ['9999999999.99', '9999999999.99'],
  ])('canonicalises %j to %j', (input, expected) => {
    expect(parseAmount(input, 'input.amount')).toBe(expected);
  });

  it.each([
    ['negative', '-1.00', 'greater than 0'],
    ['negative zero', '-0', 'greater than 0'],
    ['zero', '0', 'greater than 0'],
    ['zero with cents', '0.00', 'greater than 0'],
    ['many zeros', '0000.0', 'greater than 0'],
    ['three decimals', '1.005', 'two decimal places'],
    ['exponent', '1e3', 'decimal string'],
    ['exponent with fraction', '1.5E2', 'decimal string'],
    ['NaN', 'NaN', 'decimal string'],
    ['Infinity', 'Infinity', 'decimal string'],
    ['empty', '', 'decimal string'],
    ['only a point', '.', 'decimal string'],
    ['leading point', '.5', 'decimal string'],
    ['trailing point', '5.', 'decimal string'],
    ['plus sign', '+5', 'decimal string'],
    ['hex', '0x10', 'decimal string'],
    ['thousands separator', '1,000.00', 'decimal string'],
    ['comma decimal', '12,50', 'decimal string'],
    ['currency symbol', '$5', 'decimal string'],
    ['over the maximum', '10000000000', '9999999999.99'],
    ['over the maximum with cents', '10000000000.00', '9999999999.99'],
  ])('refuses %s (%j)', (_name, input, problem) => {
    const error = refusal(() => parseAmount(input, 'input.amount'), 'input.amount');
    expect(error.message).toContain(problem);
  });

  it.each([
    ['a number', 12.5],
    ['an integer', 12],
    ['NaN', Number.NaN],
    ['null', null],
    ['undefined', undefined],
    ['an object', { amount: '1.00' }],
    ['a bigint', 10n],
  ])('refuses %s instead of a string', (_name, input) => {
    refusal(() => parseAmount(input, 'amount'), 'amount');
  });

  it('names whichever field it was given', () => {
    refusal(() => parseAmount('-5', 'input.items.2.price'), 'input.items.2.price');
  });
});

describe('parseCurrency', () => {
  it('accepts three capital letters unchanged', () => {
    expect(parseCurrency('EUR', 'input.currency')).toBe('EUR');
    expect(parseCurrency('USD', 'input.currency')).toBe('USD');
  });

  it.each([
    ['lower case', 'eur'],
    ['two letters', 'EU'],
    ['four letters', 'EURO'],
    ['digits', '978'],
    ['padded', ' EUR'],
    ['empty', ''],
    ['a number', 978],
    ['null', null],
  ])('refuses %s (%j)', (_name, input) => {
    refusal(() => parseCurrency(input, 'input.currency'), 'input.currency');
  });
});
