/** The default world of each template, read from the shared contract package
 * (virtubar/worlds) at build time so client and server never drift. */
import bar from '../../../virtubar/worlds/bar.json';
import office from '../../../virtubar/worlds/office.json';
import focus from '../../../virtubar/worlds/focus.json';
import world from '../../../virtubar/worlds/world.json';
import type { Template, World } from './world';

export const DEFAULT_WORLDS: Record<Template, World> = {
  bar: bar as World, office: office as World, focus: focus as World, world: world as World,
};
