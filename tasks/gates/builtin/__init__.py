"""The built-in gates, one module each; every module here registers its gate with
``phasegate.gates.spec.GATES`` when the registry is first read (modules starting with ``_`` are
helpers, not gates). The ladder order is each spec's ``order``, not the module name."""
