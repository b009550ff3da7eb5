<#-- Test stand-in for keycloak.v2's template.ftl: same macro signature and sections, same page
     skeleton (header, title, global alert, form, info), none of the session scripts. -->
<#macro registrationLayout bodyClass="" displayInfo=false displayMessage=true displayRequiredFields=false>
<!DOCTYPE html>
<html class="${properties.kcHtmlClass!}" lang="${(locale.currentLanguageTag)!'en'}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${realm.displayName!''}</title>
  <#list (properties.stylesCommon!'')?split(' ') as style><#if style?has_content>
  <link href="${url.resourcesCommonPath}/${style}" rel="stylesheet" />
  </#if></#list>
  <#list (properties.styles!'')?split(' ') as style><#if style?has_content>
  <link href="${url.resourcesPath}/${style}" rel="stylesheet" />
  </#if></#list>
</head>
<body id="keycloak-bg" class="${properties.kcBodyClass!} ${bodyClass}">
<div class="${properties.kcLogin!}">
  <div class="${properties.kcLoginContainer!}">
    <header id="kc-header" class="pf-v5-c-login__header">
      <div id="kc-header-wrapper" class="pf-v5-c-brand">${kcSanitize(realm.displayName!'')?no_esc}</div>
    </header>
    <main class="${properties.kcLoginMain!}">
      <div class="${properties.kcLoginMainHeader!}">
        <h1 class="${properties.kcLoginMainTitle!}" id="kc-page-title"><#nested "header"></h1>
      </div>
      <div class="${properties.kcLoginMainBody!}">
        <#if displayMessage && message?has_content>
          <div id="kc-global-message" class="${properties.kcAlertClass!} pf-m-${(message.type = 'error')?then('danger', message.type)}">
            <span class="${properties.kcAlertTitleClass!} kc-feedback-text">${kcSanitize(message.summary)?no_esc}</span>
          </div>
        </#if>
        <#nested "form">
        <#if displayInfo>
          <div id="kc-info"><#nested "info"></div>
        </#if>
      </div>
    </main>
  </div>
</div>
</body>
</html>
</#macro>
