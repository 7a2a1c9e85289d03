"""`appspec plan`: what an update of a stack would change, app by app and resource by resource.

Stages: `state` reads recorded Pulumi state (a `pulumi stack export` document or a file-backend
checkpoint, plain or gzipped); `base` reads a base spec tree from a folder or a git ref; `urns`
gives resources the URNs the engine writes; `wire` turns pulumi_okta's Python input names into
the wire names state uses; `diff` makes the resource steps; `summary` the domain summary per
app; `build` puts them together into a `Plan`, which `appspecs.report.plan` prints.

The desired side is always `resource_graph(render(specs, stack))`: the same graph the
components register, so the plan never maps specs to Okta on its own.

Rules the plan follows where the engine's own answer is not at hand:
- Placeholders. A `Ref` to a resource recorded in state (and not a leftover marked for
  deletion) takes that resource's recorded output: updates keep ids. A `Ref` to a resource that
  will be created is unknown and "fresh": it cannot equal a recorded value, so it is a change
  (`output<string>`). A `Ref` whose output is not recorded is unknown but may be the same: not
  a change. A `GroupId` takes the id the stack exported in `groupIds`; a group missing there is
  unknown and may be the recorded id, unless that id belongs to another exported group.
- Secrets. Recorded secrets are `Secret` objects that print as `[secret]` in every format. One
  held in plaintext (`--show-secrets` exports) is compared by value; ciphertext cannot be read
  without the stack's secrets provider and compares as the same. The app summary follows the
  same rule (`hidden`): a readable secret's values are compared and shown as `[secret]` where
  they would be printed, a ciphertext one is no change. The program sets no secret input, so
  only values someone else marked secret are affected.
- `ignore_changes` paths of a resource (the policy's `priority`) and everything under them are
  left out of the diff of an existing resource, as the engine does; a create uses all inputs.
- Inputs recorded but no longer set show as removed, except the bridge's bookkeeping (`__`
  keys), inputs it lists in `__defaults`, and empty values. Numbers compare as numbers (state
  and mocks hold floats); booleans never equal numbers.
- Ops are create, update, replace, delete and same. A change to an input the provider cannot
  update in place (`PROVIDER_REPLACES` in `appspecs.desired.resources`, its schema's
  `willReplaceOnChanges`: an app's type, the app its assignments belong to) or that the program
  marks `replace_on_changes` (the server of a scope, policy or rule; a rule's policy) is a
  replace (`diff.replace_fields`), and what refers to the replaced resource changes too.
  Inputs the provider keeps when unset (`KEPT_WHEN_UNSET`: an app's logo) are no change.
- The root stack and providers are never deleted; state of another stack or project is refused.
"""
