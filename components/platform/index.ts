export { Platform, type PlatformArgs, type Deployer } from "./platform";
export { PLATFORM_REF_KEYS, consentLink, platformRefsFromStack, type PlatformRefs } from "./refs";
