/** Starts shared services for the whole run; each returns its teardown. Kept empty of work until a suite needs one. */
export default async function setup() {
  return async () => {}
}
