import { z } from 'zod';

/**
 * A list of addresses or numbers, from YAML (a list) or from a flag or variable (comma-separated text):
 * `--email.to=a@example.com,b@example.com`.
 */
export const addressList = z
  .preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== '')
        : value,
    z.array(z.string().min(1)),
  )
  .default([]);
