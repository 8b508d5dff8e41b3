/* The submission form: collect the answers, check them against the form's JSON Schema
 * (embedded in the page by `archive site build`) and the checks `archive intake` adds,
 * then save them as a JSON file. Nothing is sent anywhere.
 *
 * The validator is this file's own: it implements exactly the keywords the form schema
 * uses (SUPPORTED below) and refuses any other, so a schema change cannot be checked
 * silently wrong. The site tests compare its verdicts with Python's `jsonschema`.
 */
(function () {
  "use strict";

  var SUPPORTED = ["type", "enum", "const", "required", "properties", "additionalProperties",
    "propertyNames", "minProperties", "maxProperties", "pattern", "minLength", "maxLength",
    "minItems", "maxItems", "uniqueItems", "items", "minimum", "maximum", "not"];
  var ANNOTATIONS = ["$schema", "$id", "$comment", "title", "description", "default",
    "examples"];
  var TYPE_WORDS = { string: "text", integer: "a whole number", number: "a number",
    array: "a list", object: "a group of fields", boolean: "yes or no", null: "empty" };

  function typeOf(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
  }

  function canonical(value) {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).sort().forEach(function (k) { out[k] = canonical(value[k]); });
      return out;
    }
    return value;
  }

  function same(a, b) { return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b)); }
  function chars(text) { return Array.from(text).length; }
  function quote(value) { return "\u201c" + String(value) + "\u201d"; }

  /* Every way `value` breaks `schema`, as {pointer, message}. */
  function validate(schema, value, pointer, errors) {
    pointer = pointer || "";
    errors = errors || [];
    if (schema === true) return errors;
    if (schema === false) {
      errors.push({ pointer: pointer, message: "This value is not allowed." });
      return errors;
    }
    Object.keys(schema).forEach(function (key) {
      if (SUPPORTED.indexOf(key) < 0 && ANNOTATIONS.indexOf(key) < 0) {
        throw new Error("the form schema uses " + key + ", which this page cannot check");
      }
    });
    function fail(message) { errors.push({ pointer: pointer, message: message }); }
    var kind = typeOf(value);
    if ("type" in schema) {
      var types = Array.isArray(schema.type) ? schema.type : [schema.type];
      var ok = types.some(function (t) { return t === kind || (t === "number" && kind === "integer"); });
      if (!ok) {
        fail("Must be " + types.map(function (t) { return TYPE_WORDS[t] || t; }).join(" or ") + ".");
        return errors;
      }
    }
    if ("enum" in schema && !schema.enum.some(function (e) { return same(e, value); })) {
      fail(quote(value) + " is not one of the choices: " + schema.enum.join(", ") + ".");
    }
    if ("const" in schema && !same(schema.const, value)) fail("Must be " + quote(schema.const) + ".");
    if (kind === "string") {
      if ("minLength" in schema && chars(value) < schema.minLength) {
        fail("Must be at least " + schema.minLength + " characters long (now " + chars(value) + ").");
      }
      if ("maxLength" in schema && chars(value) > schema.maxLength) {
        fail("Must be at most " + schema.maxLength + " characters long (now " + chars(value) + ").");
      }
      if ("pattern" in schema && !new RegExp(schema.pattern, "u").test(value)) {
        fail(quote(value) + " does not have the expected form.");
      }
    }
    if (kind === "integer" || kind === "number") {
      if ("minimum" in schema && value < schema.minimum) fail("Must be at least " + schema.minimum + ".");
      if ("maximum" in schema && value > schema.maximum) fail("Must be at most " + schema.maximum + ".");
    }
    if (kind === "array") {
      if ("minItems" in schema && value.length < schema.minItems) {
        fail(schema.minItems === 1 ? "Give at least one." : "Give at least " + schema.minItems + ".");
      }
      if ("maxItems" in schema && value.length > schema.maxItems) fail("Give at most " + schema.maxItems + ".");
      if (schema.uniqueItems) {
        var seen = value.map(function (v) { return JSON.stringify(canonical(v)); });
        if (seen.some(function (v, i) { return seen.indexOf(v) !== i; })) {
          fail("Each value may be given only once.");
        }
      }
      if ("items" in schema) {
        value.forEach(function (item, i) { validate(schema.items, item, pointer + "/" + i, errors); });
      }
    }
    if (kind === "object") {
      var props = schema.properties || {};
      (schema.required || []).forEach(function (name) {
        if (!(name in value)) {
          var title = (props[name] && props[name].title) || name;
          errors.push({ pointer: pointer + "/" + name, message: quote(title) + " is required." });
        }
      });
      var keys = Object.keys(value);
      if ("minProperties" in schema && keys.length < schema.minProperties) {
        fail("Fill in at least " + schema.minProperties + ".");
      }
      if ("maxProperties" in schema && keys.length > schema.maxProperties) {
        fail("Fill in at most " + schema.maxProperties + ".");
      }
      keys.forEach(function (key) {
        var child = pointer + "/" + key.replace(/~/g, "~0").replace(/\//g, "~1");
        if ("propertyNames" in schema && validate(schema.propertyNames, key, child, []).length) {
          errors.push({ pointer: child, message: quote(key) + " is not allowed here." });
        }
        if (key in props) validate(props[key], value[key], child, errors);
        else if ("additionalProperties" in schema) {
          if (schema.additionalProperties === false) {
            errors.push({ pointer: child, message: "Unexpected field " + quote(key) + "." });
          } else validate(schema.additionalProperties, value[key], child, errors);
        }
      });
    }
    if ("not" in schema && validate(schema.not, value, pointer, []).length === 0) {
      fail(quote(value) + " is not allowed.");
    }
    return errors;
  }

  /* Throw if the schema, anywhere, uses a keyword `validate` does not implement. */
  function audit(schema) {
    if (!schema || typeof schema !== "object") return;
    Object.keys(schema).forEach(function (key) {
      if (SUPPORTED.indexOf(key) < 0 && ANNOTATIONS.indexOf(key) < 0) {
        throw new Error("the form schema uses " + key + ", which this page cannot check");
      }
    });
    Object.keys(schema.properties || {}).forEach(function (k) { audit(schema.properties[k]); });
    ["items", "additionalProperties", "propertyNames", "not"].forEach(function (k) { audit(schema[k]); });
  }

  function get(doc, pointer) {
    return pointer.split("/").slice(1).reduce(function (node, key) {
      return node && typeof node === "object" ? node[key] : undefined;
    }, doc);
  }

  function set(doc, pointer, value) {
    var keys = pointer.split("/").slice(1);
    var node = doc;
    keys.slice(0, -1).forEach(function (key) {
      if (!node[key] || typeof node[key] !== "object") node[key] = {};
      node = node[key];
    });
    node[keys[keys.length - 1]] = value;
  }

  /* Is `tag` a BCP 47 tag langcodes knows (language[-Script][-Region] only)? */
  function knownTag(subtags, tag) {
    var parts = tag.split("-");
    if (subtags.languages.indexOf(" " + parts[0] + " ") < 0) return false;
    return parts.slice(1).every(function (part) {
      var list = part.length === 4 ? subtags.scripts : subtags.regions;
      return list.indexOf(" " + part + " ") >= 0;
    });
  }

  /* The checks `archive intake` makes beyond the schema. */
  function intakeChecks(config, doc, flagged) {
    var errors = [];
    var subtags = {};
    Object.keys(config.subtags).forEach(function (k) { subtags[k] = " " + config.subtags[k] + " "; });
    Object.keys(config.rules).forEach(function (pointer) {
      var rule = config.rules[pointer];
      var value = get(doc, pointer);
      if (value === undefined || flagged[pointer]) return;
      if (rule === "open-licence" && config.licences.indexOf(value) < 0) {
        errors.push({ pointer: pointer, message: quote(value) + " is not an open licence the " +
          "archive accepts. Use one of: " + config.licences.join(", ") + "." });
      }
      if (rule === "open-pathway" && value !== "open") {
        errors.push({ pointer: pointer, message: "The archive publishes open-pathway datasets " +
          "only; private data is handled outside it." });
      }
      if (rule === "language-tags" && Array.isArray(value)) {
        value.forEach(function (tag, i) {
          if (typeof tag === "string" && !flagged[pointer + "/" + i] && !knownTag(subtags, tag)) {
            errors.push({ pointer: pointer + "/" + i, message: quote(tag) + " is not a known " +
              "BCP 47 language tag (for example is, en, pt-BR)." });
          }
        });
      }
    });
    return errors;
  }

  /* Schema errors, then intake errors on the fields the schema found nothing wrong with. */
  function check(config, doc) {
    var errors = validate(config.schema, doc);
    var flagged = {};
    errors.forEach(function (e) { flagged[e.pointer] = true; });
    return errors.concat(intakeChecks(config, doc, flagged));
  }

  function collect(form) {
    var doc = {};
    form.querySelectorAll("[data-kind]").forEach(function (field) {
      var pointer = field.getAttribute("data-pointer");
      var kind = field.getAttribute("data-kind");
      var value;
      if (kind === "choices") {
        value = Array.prototype.map.call(field.querySelectorAll("input:checked"),
          function (box) { return box.value; });
        if (!value.length) value = undefined;
      } else {
        var raw = field.querySelector("input, select, textarea").value.trim();
        if (raw === "") value = undefined;
        else if (kind === "integer") value = /^-?\d+$/.test(raw) ? Number(raw) : raw;
        else if (kind === "list") value = raw.split(/[\s,;]+/).filter(Boolean);
        else if (kind === "lines") {
          value = raw.split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean);
        } else value = raw;
      }
      if (value !== undefined) set(doc, pointer, value);
    });
    return doc;
  }

  function fieldFor(form, pointer) {
    var parts = pointer.split("/");
    while (parts.length > 1) {
      var found = form.querySelector('[data-pointer="' + CSS.escape(parts.join("/")) + '"]');
      if (found) return found;
      parts.pop();
    }
    return null;
  }

  function show(form, errors) {
    form.querySelectorAll(".form-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var summary = form.querySelector("#form-summary");
    var items = [];
    errors.forEach(function (error) {
      var field = fieldFor(form, error.pointer);
      if (!field) return;
      var pointer = field.getAttribute("data-pointer");
      var slot = form.querySelector("#" + CSS.escape("f" + pointer.replace(/\//g, "-") + "-error"));
      slot.hidden = false;
      slot.textContent = (slot.textContent ? slot.textContent + " " : "") + error.message;
      var control = field.querySelector("input, select, textarea");
      if (control) control.setAttribute("aria-invalid", "true");
      var label = field.querySelector("label, legend");
      items.push({ id: control ? control.id : field.id, text: (label ? label.textContent.replace(" (required)", "") : pointer) + ": " + error.message });
    });
    summary.textContent = "";
    summary.hidden = !items.length;
    if (!items.length) return;
    var heading = document.createElement("h2");
    heading.textContent = items.length === 1 ? "There is a problem" : "There are " + items.length + " problems";
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + item.id;
      a.textContent = item.text;
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.appendChild(heading);
    summary.appendChild(list);
    summary.focus();
  }

  function save(form, doc) {
    var text = JSON.stringify(doc, null, 2) + "\n";
    var name = (typeof doc.id === "string" ? doc.id : "dataset") + ".form.json";
    var url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    var result = form.querySelector("#form-result");
    result.textContent = "";
    var p = document.createElement("p");
    p.appendChild(document.createTextNode("Your answers are complete. "));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.id = "form-download";
    link.textContent = "Download " + name;
    p.appendChild(link);
    p.appendChild(document.createTextNode(" and send it with your data files to the archive's maintainers."));
    var pre = document.createElement("pre");
    pre.textContent = text;
    result.appendChild(p);
    result.appendChild(pre);
    result.hidden = false;
    link.click();
  }

  function init() {
    var form = document.getElementById("submission-form");
    var source = document.getElementById("submission-config");
    if (!form || !source) return;
    var config = JSON.parse(source.textContent);
    try {
      audit(config.schema);
    } catch (error) {
      var note = document.createElement("p");
      note.className = "form-error";
      note.textContent = "This page cannot check the form: " + error.message + ".";
      form.parentNode.insertBefore(note, form);
      return;
    }
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      form.querySelector("#form-result").hidden = true;
      var doc = collect(form);
      var errors = check(config, doc);
      show(form, errors);
      if (!errors.length) save(form, doc);
    });
  }

  window.ArchiveForm = { validate: validate, check: check, collect: collect, audit: audit };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
