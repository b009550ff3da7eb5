// Renders the theme's FreeMarker templates with the real FreeMarker engine and a data model shaped
// like the one Keycloak's FreeMarkerLoginFormsProvider builds, so the tests see what Keycloak would.
//
// Usage: java -cp <dir>:freemarker.jar RenderTemplate <theme login dir> <stub dir> <jobs.json>
// jobs.json is an array of
//   {"template": "login-sms.ftl", "locale": "pt-BR", "out": "/tmp/x.html",
//    "attributes": {...},                  // what an authenticator sets with form().setAttribute
//    "messages": [{"key", "args", "field", "type"}],   // form().setError / addError(FormMessage)
//    "url": {"resourcesPath", "resourcesCommonPath"}}
// Templates resolve from the theme first, then from the stub dir, which holds a stand-in
// template.ftl (registrationLayout) and parent-theme.properties (the keycloak.v2 classes we use).
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.core.HTMLOutputFormat;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.TemplateMethodModelEx;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.text.MessageFormat;
import java.util.*;

public class RenderTemplate {
  public static void main(String[] args) throws Exception {
    File themeDir = new File(args[0]);
    File stubDir = new File(args[1]);
    Object jobs = new Json(Files.readString(Path.of(args[2]))).value();
    Configuration cfg = configuration(themeDir, stubDir);
    for (Object job : (List<?>) jobs) render(cfg, themeDir, stubDir, (Map<?, ?>) job);
  }

  /** Mirrors DefaultFreeMarkerProvider: legacy defaults, HTML auto-escaping, no ?new. */
  @SuppressWarnings("deprecation")
  static Configuration configuration(File themeDir, File stubDir) throws IOException {
    Configuration cfg = new Configuration();
    cfg.setOutputFormat(HTMLOutputFormat.INSTANCE);
    cfg.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
    cfg.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
    cfg.setLogTemplateExceptions(false);
    cfg.setTemplateLoader(new MultiTemplateLoader(new TemplateLoader[] {
      new FileTemplateLoader(themeDir), new FileTemplateLoader(stubDir)}));
    return cfg;
  }

  static void render(Configuration cfg, File themeDir, File stubDir, Map<?, ?> job) throws Exception {
    String tag = str(job.get("locale"), "en");
    Locale locale = Locale.forLanguageTag(tag);
    Properties messages = messages(themeDir, tag);
    Map<String, Object> model = new HashMap<>();
    Map<?, ?> attributes = (Map<?, ?>) job.get("attributes");
    if (attributes != null) for (Map.Entry<?, ?> e : attributes.entrySet()) model.put((String) e.getKey(), e.getValue());
    model.put("msg", new Msg(messages, locale));
    model.put("kcSanitize", new Sanitize());
    model.put("properties", properties(themeDir, stubDir));
    model.put("realm", realm());
    model.put("url", url((Map<?, ?>) job.get("url")));
    model.put("locale", localeBean(tag));
    handleMessages(model, (List<?>) job.get("messages"), messages, locale);
    Template template = cfg.getTemplate(str(job.get("template"), "login-sms.ftl"), "UTF-8");
    try (Writer out = Files.newBufferedWriter(Path.of((String) job.get("out")), StandardCharsets.UTF_8)) {
      template.process(model, out);
    }
  }

  /** English first, then the locale on top: Keycloak falls back to English for missing keys. */
  static Properties messages(File themeDir, String tag) throws IOException {
    Properties p = new Properties();
    load(p, new File(themeDir, "messages/messages_en.properties"));
    load(p, new File(themeDir, "messages/messages_" + tag.replace('-', '_') + ".properties"));
    return p;
  }

  /** The parent's properties, then the theme's own, as Keycloak merges a theme chain. */
  static Properties properties(File themeDir, File stubDir) throws IOException {
    Properties p = new Properties();
    load(p, new File(stubDir, "parent-theme.properties"));
    load(p, new File(themeDir, "theme.properties"));
    return p;
  }

  static void load(Properties p, File f) throws IOException {
    if (!f.exists()) return;
    try (Reader r = Files.newBufferedReader(f.toPath(), StandardCharsets.UTF_8)) { p.load(r); }
  }

  /** Like handleMessages: every message joins `message`; those with a field also go per field. */
  static void handleMessages(Map<String, Object> model, List<?> list, Properties bundle, Locale locale) {
    MessagesPerField perField = new MessagesPerField();
    model.put("messagesPerField", perField);
    if (list == null || list.isEmpty()) return;
    Message whole = null;
    for (Object o : list) {
      Map<?, ?> m = (Map<?, ?>) o;
      String key = (String) m.get("key");
      List<?> args = m.get("args") == null ? List.of() : (List<?>) m.get("args");
      String text = bundle.containsKey(key) ? new MessageFormat(bundle.getProperty(key), locale).format(args.toArray()) : key;
      String type = str(m.get("type"), "error");
      if (whole == null) whole = new Message(text, type); else whole.append(text);
      perField.add((String) m.get("field"), text, type);
    }
    model.put("message", whole);
  }

  static Map<String, Object> realm() {
    Map<String, Object> r = new HashMap<>();
    r.put("name", "demo");
    r.put("displayName", "Demo");
    r.put("displayNameHtml", "<strong>Demo</strong>");
    r.put("internationalizationEnabled", Boolean.TRUE);
    return r;
  }

  static Map<String, Object> url(Map<?, ?> given) {
    Map<String, Object> u = new HashMap<>();
    u.put("loginAction", "https://sso.example.test/realms/demo/login-actions/authenticate?session_code=abc&execution=e1");
    u.put("loginRestartFlowUrl", "https://sso.example.test/realms/demo/login-actions/restart");
    u.put("resourcesPath", "/resources/v1/login/sms-mfa");
    u.put("resourcesCommonPath", "/resources/v1/common/keycloak");
    if (given != null) for (Map.Entry<?, ?> e : given.entrySet()) u.put((String) e.getKey(), e.getValue());
    return u;
  }

  static Map<String, Object> localeBean(String tag) {
    Map<String, Object> l = new HashMap<>();
    l.put("currentLanguageTag", tag);
    l.put("current", tag);
    l.put("rtl", Boolean.FALSE);
    l.put("supported", List.of());
    return l;
  }

  static String str(Object o, String fallback) { return o == null ? fallback : o.toString(); }

  /** Keycloak's MessageFormatterMethod: always MessageFormat, arguments passed as template models. */
  public static class Msg implements TemplateMethodModelEx {
    private final Properties messages;
    private final Locale locale;
    Msg(Properties messages, Locale locale) { this.messages = messages; this.locale = locale; }
    @Override @SuppressWarnings("rawtypes")
    public Object exec(List list) {
      String key = list.get(0).toString();
      return new MessageFormat(messages.getProperty(key, key), locale).format(list.subList(1, list.size()).toArray());
    }
  }

  /** Stand-in for the OWASP-based kcSanitize: escapes everything but the <br> Keycloak joins lines with. */
  public static class Sanitize implements TemplateMethodModelEx {
    @Override @SuppressWarnings("rawtypes")
    public Object exec(List list) {
      String s = list.get(0) == null ? "" : list.get(0).toString();
      s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
      return s.replace("&lt;br&gt;", "<br>");
    }
  }

  /** Keycloak's MessageBean: summary lines joined with <br>, type in lower case. */
  public static class Message {
    private String summary;
    private final String type;
    Message(String summary, String type) { this.summary = summary; this.type = type; }
    void append(String line) { summary = summary + "<br>" + line; }
    public String getSummary() { return summary; }
    public String getType() { return type; }
    public boolean isError() { return "error".equals(type); }
  }

  /** Keycloak's MessagesPerFieldBean, same public methods. */
  public static class MessagesPerField {
    private final Map<String, Message> byField = new HashMap<>();
    void add(String field, String text, String type) {
      String f = field == null ? "global" : field;
      Message m = byField.get(f);
      if (m == null) byField.put(f, new Message(text, type)); else m.append(text);
    }
    public boolean exists(String field) { return byField.containsKey(field); }
    public boolean existsError(String... fields) {
      for (String f : fields) if (exists(f) && byField.get(f).isError()) return true;
      return false;
    }
    public String getFirstError(String... fields) {
      for (String f : fields) if (existsError(f)) return get(f);
      return "";
    }
    public String get(String field) { Message m = byField.get(field); return m == null ? "" : m.getSummary(); }
    public String printIfExists(String field, String text) { return exists(field) ? text : ""; }
  }

  /** Just enough JSON: objects, arrays, strings, numbers (Integer when they fit, as Keycloak attributes are), booleans, null. */
  static class Json {
    private final String s;
    private int i;
    Json(String s) { this.s = s; }

    Object value() {
      skip();
      char c = s.charAt(i);
      if (c == '{') return object();
      if (c == '[') return array();
      if (c == '"') return string();
      if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
      if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
      if (s.startsWith("null", i)) { i += 4; return null; }
      return number();
    }

    Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      for (skip(); s.charAt(i) != '}'; skip()) {
        String k = string();
        skip(); i++; // ':'
        m.put(k, value());
        skip();
        if (s.charAt(i) == ',') i++;
      }
      i++;
      return m;
    }

    List<Object> array() {
      List<Object> l = new ArrayList<>();
      i++;
      for (skip(); s.charAt(i) != ']'; skip()) {
        l.add(value());
        skip();
        if (s.charAt(i) == ',') i++;
      }
      i++;
      return l;
    }

    String string() {
      StringBuilder b = new StringBuilder();
      skip(); i++; // opening quote
      for (char c = s.charAt(i++); c != '"'; c = s.charAt(i++)) {
        if (c != '\\') { b.append(c); continue; }
        char e = s.charAt(i++);
        switch (e) {
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
          default: b.append(e);
        }
      }
      return b.toString();
    }

    Object number() {
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
      String n = s.substring(start, i);
      if (n.matches("-?\\d+")) {
        long l = Long.parseLong(n);
        return l == (int) l ? (Object) Integer.valueOf((int) l) : (Object) Long.valueOf(l);
      }
      return Double.valueOf(n);
    }

    void skip() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
  }
}
