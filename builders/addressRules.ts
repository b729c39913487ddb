/**
 * Rules for addresses the stack hands to AWS as they are: alarm e-mail addresses (SNS e-mail
 * subscriptions) and custom domain names (Amplify, API Gateway). Pure, so the stack config and the
 * components that check their own arguments use the same rule from here.
 */

/** Something@domain.tld with no white space or angle brackets (SNS sends the confirmation to it). */
export const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Lower-case DNS name of at most 253 characters, labels of 1-63, a TLD of letters. */
export const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
